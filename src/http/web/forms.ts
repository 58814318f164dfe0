/**
 * Form pieces for the admin pages: a labelled input with its error next to it and the
 * value as typed, checkboxes, the hidden CSRF field, POST buttons (deletes are always a
 * POST form, never a GET link).
 */
import { isMirrorManagerError, ValidationError, ConflictError, NotFoundError } from '../../lib/errors.js'
import { html, type Html } from './html.js'

export type FormValues = Record<string, string | undefined>
export type FieldErrors = Record<string, string>

export interface FieldOptions {
  name: string
  label: string
  values: FormValues
  errors: FieldErrors
  type?: 'text' | 'email' | 'password' | 'number' | 'url'
  required?: boolean
  disabled?: boolean
  hint?: string
  autocomplete?: string
}

export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`
}

export function field(o: FieldOptions): Html {
  const error = o.errors[o.name]
  const id = `f-${o.name}`
  // Passwords are never sent back.
  const value = o.type === 'password' ? '' : (o.values[o.name] ?? '')
  return html`<label for="${id}">${o.label}${o.required ? html` <span class="muted">(required)</span>` : ''}</label>
<input id="${id}" type="${o.type ?? 'text'}" name="${o.name}" value="${value}"${o.required ? html` required` : ''}${o.disabled ? html` disabled` : ''}${error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}>
${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}${o.hint ? html`<p class="muted">${o.hint}</p>` : ''}`
}

export function textarea(o: FieldOptions): Html {
  const error = o.errors[o.name]
  return html`<label for="f-${o.name}">${o.label}</label>
<textarea id="f-${o.name}" name="${o.name}" rows="3"${o.disabled ? html` disabled` : ''}>${o.values[o.name] ?? ''}</textarea>
${error ? html`<p class="field-error">${error}</p>` : ''}`
}

export function checkbox(o: { name: string; label: string; values: FormValues; disabled?: boolean; hint?: string }): Html {
  const checked = o.values[o.name] === 'on' || o.values[o.name] === 'true'
  return html`<label class="check"><input type="checkbox" name="${o.name}"${checked ? html` checked` : ''}${o.disabled ? html` disabled` : ''}> ${o.label}${o.disabled ? html` <span class="muted">(set by the mirror admins)</span>` : ''}</label>`
}

export function formErrors(errors: FieldErrors): Html {
  return errors._form ? html`<p class="flash flash-error" role="alert">${errors._form}</p>` : html``
}

/** A one-button POST form (remove, drop, log out). */
export function postButton(action: string, csrf: string, label: string, options: { danger?: boolean; hidden?: Record<string, string> } = {}): Html {
  return html`<form class="inline" method="post" action="${action}">${csrfField(csrf)}${Object.entries(options.hidden ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}<button type="submit"${options.danger ? html` class="danger"` : ''}>${label}</button></form>`
}

/** A request body as strings (formbody gives strings; anything else is dropped). */
export function formValues(body: unknown): FormValues {
  const values: FormValues = {}
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body)) if (typeof value === 'string') values[key] = value
  }
  return values
}

export const checked = (values: FormValues, name: string): boolean => values[name] === 'on' || values[name] === 'true'

/**
 * A library refusal as a field error: ValidationError names its field (mapped to the form's
 * field name by `fields`); conflicts and unknown names go on top of the form. Anything else
 * is not a form problem and is thrown on.
 */
export function errorsFrom(error: unknown, fields: Record<string, string> = {}): FieldErrors {
  if (error instanceof ValidationError) {
    const name = (error.field && fields[error.field]) ?? error.field ?? '_form'
    return { [name]: error.message }
  }
  if (error instanceof ConflictError || error instanceof NotFoundError) return { _form: error.message }
  if (isMirrorManagerError(error) && error.code === 'MM_USAGE') return { _form: error.message }
  throw error
}
