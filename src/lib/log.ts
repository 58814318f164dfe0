/** Logs go to stderr; results go to stdout. Library code takes a Logger, never console. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug'

export interface Logger {
  error(message: string): void
  warn(message: string): void
  info(message: string): void
  debug(message: string): void
}

const rank: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 }

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const at = (wanted: LogLevel, prefix: string) => (message: string) => {
    if (rank[wanted] <= rank[level]) write(`${prefix}${message}\n`)
  }
  return { error: at('error', 'error: '), warn: at('warn', 'warning: '), info: at('info', ''), debug: at('debug', 'debug: ') }
}

/** For library calls whose caller wants silence (tests, --json runs). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} }
