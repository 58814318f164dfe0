/**
 * The URL of a worker thread's entry module next to the calling module: `.js` in the
 * build, `.ts` under the test runner (which runs the sources, and so does its worker).
 */
export function siblingWorkerUrl(name: string, callerUrl: string): URL {
  return new URL(callerUrl.endsWith('.ts') ? `./${name}.ts` : `./${name}.js`, callerUrl)
}
