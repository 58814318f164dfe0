import t from 'tap'
import { describeChange, parseSince } from '../../src/lib/audit/audit.js'
import { ADMIN_ONLY_ACTIONS, can, isAdmin, OWNER_ACTIONS, type Action, type Actor, type Ownership } from '../../src/lib/permissions/can.js'
import { checkbox, errorsFrom, field } from '../../src/http/web/forms.js'
import { escapeHtml, html } from '../../src/http/web/html.js'
import { ConflictError, MailNotSentError, ValidationError } from '../../src/lib/errors.js'
import type { Message } from '../../src/lib/users/mail.js'
import { createOutbox } from '../../src/lib/users/outbox.js'

const roles: Record<string, Actor | undefined> = {
  anonymous: undefined,
  user: { username: 'alice', admin: false },
  admin: { username: 'root', admin: true },
}

const owners: Record<string, Ownership> = {
  'site admin': { admins: ['alice', 'bob'], createdBy: 'carol' },
  creator: { admins: ['bob'], createdBy: 'alice' },
  stranger: { admins: ['bob'], createdBy: 'bob' },
  'removed admin': { admins: [], createdBy: null },
}

/** The whole rule as data: what a role may do on a target of each ownership. */
function expected(role: string, action: Action, owner: string): boolean {
  if (role === 'anonymous') return false
  if (role === 'admin') return true
  if (action === 'site.create') return true
  if ((ADMIN_ONLY_ACTIONS as readonly string[]).includes(action)) return false
  return owner === 'site admin' || owner === 'creator'
}

t.test('can(): role x action x owner, every combination', async (t) => {
  const actions: Action[] = [...ADMIN_ONLY_ACTIONS, ...OWNER_ACTIONS, 'site.create']
  let rows = 0
  for (const [role, actor] of Object.entries(roles)) {
    for (const action of actions) {
      for (const [owner, target] of Object.entries(owners)) {
        t.equal(can(actor, action, target), expected(role, action, owner), `${role} ${action} on ${owner}'s site`)
        rows++
      }
    }
  }
  t.equal(rows, 3 * actions.length * 4)
  t.notOk(can(roles.user, 'site.view'), 'an owner action without a target is refused')
  t.ok(can(roles.admin, 'netblock.large'), 'admins may add large netblocks')
  t.notOk(can({ username: 'bob', admin: false }, 'site.edit', { admins: [], createdBy: null }), 'nobody owns an orphan site but admins')
})

t.test('isAdmin: the flag, or a group in web.admin_group (a null groups claim is no groups)', async (t) => {
  t.ok(isAdmin({ admin: true }, [], ['sysadmin-main']))
  t.ok(isAdmin({ admin: false }, ['packager', 'sysadmin-main'], ['sysadmin-main']))
  t.notOk(isAdmin({ admin: false }, ['packager'], ['sysadmin-main']))
  t.notOk(isAdmin({ admin: false }, [], []))
})

t.test('forms escape what was typed and show the error next to the field', async (t) => {
  const typed = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
  const out = field({ name: 'name', label: 'Site name', values: { name: typed }, errors: { name: `bad: ${typed}` } }).toString()
  t.notMatch(out, /<img|<script/, 'no markup from the value or the message')
  t.match(out, /value="&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;&lt;script&gt;/)
  t.match(out, /aria-invalid="true"/)
  t.match(out, /class="field-error"[^>]*>bad: &quot;&gt;&lt;img/)
  t.notMatch(field({ name: 'password', label: 'P', values: { password: 'secret' }, errors: {}, type: 'password' }).toString(), /secret/, 'passwords are never echoed')
  t.match(checkbox({ name: 'private', label: 'Private', values: { private: 'on' } }).toString(), / checked/)
  t.same(errorsFrom(new ValidationError('org-url: bad', { field: 'org-url' }), { 'org-url': 'org_url' }), { org_url: 'org-url: bad' })
  t.same(errorsFrom(new ConflictError('exists')), { _form: 'exists' })
  t.throws(() => errorsFrom(new Error('boom')), /boom/, 'a bug is not a form error')
})

t.test('audit: --since and before -> after', async (t) => {
  const now = new Date('2026-12-04T12:00:00Z')
  t.equal(parseSince('90m', now).toISOString(), '2026-12-04T10:30:00.000Z')
  t.equal(parseSince('7d', now).toISOString(), '2026-11-27T12:00:00.000Z')
  t.equal(parseSince('2026-12-01', now).toISOString(), '2026-12-01T00:00:00.000Z')
  t.throws(() => parseSince('yesterday', now), ValidationError)
  t.equal(describeChange({ a: 1, b: 'x' }, { a: 1, b: 'y' }), 'b: x → y')
  t.equal(describeChange(null, '192.0.2.0/24'), '→ 192.0.2.0/24')
  t.equal(describeChange('alice', null), 'alice →')
})

t.test('escapeHtml: text with nothing to escape comes back as it is; every special character is escaped, also after the fast path', async (t) => {
  t.equal(escapeHtml('https://mirror.example.org/pub/fedora'), 'https://mirror.example.org/pub/fedora')
  t.equal(escapeHtml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&#39;f')
  // the test regex has no g flag: no lastIndex carried from one call to the next
  t.equal(escapeHtml('<<'), '&lt;&lt;')
  t.equal(escapeHtml('x<'), 'x&lt;')
  t.equal(html`<td>${'"><img src=x onerror=alert(2)>'}</td>`.toString(), '<td>&quot;&gt;&lt;img src=x onerror=alert(2)&gt;</td>')
})

t.test('mail outbox: in order, after the poster returns; a failure is logged and handed to onFailure; bounded; drain', async (t) => {
  const log: string[] = []
  const sent: string[] = []
  let gate: (() => void) | undefined
  const send = async (message: Message) => {
    if (message.to.startsWith('slow')) await new Promise<void>((resolve) => (gate = resolve))
    if (message.to.startsWith('bad')) throw new MailNotSentError(`mail to ${message.to} (s) not sent: SMTP server x refused: 550`, { refused: true })
    sent.push(message.to)
  }
  const outbox = createOutbox(send, (m) => log.push(`error ${m}`), { capacity: 2 })
  const failures: string[] = []
  outbox.post({ to: 'slow@example.org', subject: 's', text: 't' })
  outbox.post({ to: 'bad@example.org', subject: 's', text: 't' }, (error) => failures.push(error.code))
  outbox.post({ to: 'c@example.org', subject: 's', text: 't' })
  outbox.post({ to: 'over@example.org', subject: 's', text: 't' }, (error) => failures.push(error.message))
  t.same(sent, [], 'nothing is sent while the first mail is held')
  t.equal(outbox.pending, 3, 'the held mail and two waiting')
  t.equal(await outbox.drain(10), 3, 'a drain that runs out of time says how many are left')
  t.match(failures, [/already waiting/], 'past the capacity a mail is refused at once, through onFailure')
  gate!()
  t.equal(await outbox.drain(5000), 0)
  t.same(sent, ['slow@example.org', 'c@example.org'], 'in order; the failed one in between did not stop the others')
  t.same(failures.slice(1), ['MM_MAIL_NOT_SENT'])
  t.match(log, [/^error MM_MAIL_NOT_SENT: mail to over@example\.org .*already waiting/, /^error MM_MAIL_NOT_SENT: mail to bad@example\.org .*refused: 550/])
})
