import { escapeXmlText, parseXml, XmlError, type XmlElement } from './xml.js'

/**
 * The slice of XML-RPC that report_mirror uses: a `methodCall` with string parameters,
 * answered by a string or a fault. Fault codes follow the interoperability convention
 * (xmlrpc-epi): -32700 parse error, -32600 not XML-RPC, -32601 no such method,
 * -32602 bad parameters, -32500 application error.
 */
export const FaultCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  applicationError: -32500,
  internalError: -32603,
} as const

export class XmlRpcFault extends Error {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(faultString)
  }
}

export interface MethodCall {
  readonly methodName: string
  /** String parameters; a `<base64>` parameter (Python bytes) arrives as its decoded text. */
  readonly params: readonly (string | { type: string })[]
}

function only(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name)
}

/** A parameter value: strings (typed or untyped) and base64 are read; others keep their type. */
function readValue(value: XmlElement): string | { type: string } {
  if (value.children.length === 0) return value.text // untyped = string
  if (value.children.length > 1) throw new XmlRpcFault(FaultCode.invalidRequest, 'a <value> holds more than one element')
  const typed = value.children[0]
  if (typed.name === 'string') return typed.text
  if (typed.name === 'base64') return Buffer.from(typed.text.replace(/\s+/g, ''), 'base64').toString('utf8')
  return { type: typed.name }
}

export function parseMethodCall(body: string): MethodCall {
  let root: XmlElement
  try {
    root = parseXml(body)
  } catch (error) {
    throw new XmlRpcFault(FaultCode.parseError, `parse error: not well-formed XML (${(error as XmlError).message})`)
  }
  if (root.name !== 'methodCall') throw new XmlRpcFault(FaultCode.invalidRequest, 'not an XML-RPC methodCall')
  const methodName = only(root, 'methodName')?.text.trim()
  if (!methodName) throw new XmlRpcFault(FaultCode.invalidRequest, 'methodCall without a methodName')
  const params = only(root, 'params')?.children ?? []
  return {
    methodName,
    params: params.map((param) => {
      const value = param.name === 'param' ? only(param, 'value') : undefined
      if (!value) throw new XmlRpcFault(FaultCode.invalidRequest, '<params> must hold <param><value>...</value></param>')
      return readValue(value)
    }),
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The wire text of a `checkin` call from the raw request body: UTF-8 checked, parsed,
 * exactly one string parameter. Runs in a decode worker (decode.ts): the body is
 * megabytes for a big check-in, and neither its text nor its parse belongs on the
 * server's event loop.
 */
export function checkinParameter(body: Uint8Array): string {
  let text: string
  try {
    text = UTF8.decode(body)
  } catch {
    throw new XmlRpcFault(FaultCode.parseError, 'parse error: the request is not UTF-8')
  }
  const call = parseMethodCall(text)
  if (call.methodName !== 'checkin') throw new XmlRpcFault(FaultCode.methodNotFound, `method "${call.methodName.slice(0, 100)}" is not supported`)
  const [param] = call.params
  if (call.params.length !== 1 || typeof param !== 'string') {
    throw new XmlRpcFault(FaultCode.invalidParams, 'checkin takes exactly one string parameter')
  }
  return param
}

const PROLOG = "<?xml version='1.0'?>\n"

export function renderStringResponse(text: string): string {
  return `${PROLOG}<methodResponse>\n<params>\n<param>\n<value><string>${escapeXmlText(text)}</string></value>\n</param>\n</params>\n</methodResponse>\n`
}

export function renderFault(fault: XmlRpcFault): string {
  return (
    `${PROLOG}<methodResponse>\n<fault>\n<value><struct>\n` +
    `<member>\n<name>faultCode</name>\n<value><int>${fault.faultCode}</int></value>\n</member>\n` +
    `<member>\n<name>faultString</name>\n<value><string>${escapeXmlText(fault.faultString)}</string></value>\n</member>\n` +
    `</struct></value>\n</fault>\n</methodResponse>\n`
  )
}

/** The request Python's xmlrpc.client sends for `server.<method>(*strings)`. */
export function renderMethodCall(methodName: string, params: readonly string[]): string {
  const rendered = params.map((p) => `<param>\n<value><string>${escapeXmlText(p)}</string></value>\n</param>\n`).join('')
  return `${PROLOG}<methodCall>\n<methodName>${escapeXmlText(methodName)}</methodName>\n<params>\n${rendered}</params>\n</methodCall>\n`
}

/** The string result of a methodResponse; a fault is thrown as XmlRpcFault. */
export function parseStringResponse(body: string): string {
  let root: XmlElement
  try {
    root = parseXml(body)
  } catch (error) {
    throw new XmlRpcFault(FaultCode.parseError, `the server's reply is not XML (${(error as XmlError).message})`)
  }
  if (root.name !== 'methodResponse') throw new XmlRpcFault(FaultCode.invalidRequest, 'the reply is not an XML-RPC methodResponse')
  const fault = only(root, 'fault')
  if (fault) throw readFault(fault)
  const value = only(only(only(root, 'params') ?? root, 'param') ?? root, 'value')
  if (!value) throw new XmlRpcFault(FaultCode.invalidRequest, 'the reply holds no value')
  const result = readValue(value)
  if (typeof result !== 'string') throw new XmlRpcFault(FaultCode.invalidRequest, `the reply is a ${result.type}, not a string`)
  return result
}

function readFault(fault: XmlElement): XmlRpcFault {
  const struct = only(only(fault, 'value') ?? fault, 'struct')
  let code: number = FaultCode.applicationError
  let text = 'unknown fault'
  for (const member of struct?.children ?? []) {
    const name = only(member, 'name')?.text
    const value = only(member, 'value')
    if (!value) continue
    const inner = value.children[0]
    if (name === 'faultCode') code = Number(inner?.text ?? value.text)
    if (name === 'faultString') text = inner?.text ?? value.text
  }
  return new XmlRpcFault(code, text)
}
