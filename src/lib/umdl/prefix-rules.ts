/**
 * Repository prefixes (the `repo=` names of dnf configs) are data: a table of path
 * patterns -> templates per category. The first matching rule wins; config rules
 * ([[umdl.prefix_rule]]) are tried before these defaults. A template of "" means "no
 * prefix" (the repository exists but is not served by repo=). `$1`... are the pattern's
 * groups. Patterns match the path relative to the category's top directory.
 */

export interface PrefixRule {
  /** Category name, or "*" for every category. */
  category: string
  pattern: string
  prefix: string
}

const ARCH = '[^/]+'
const VERSION = '(\\d[^/]*)'

export const DEFAULT_PREFIX_RULES: readonly PrefixRule[] = [
  // Test composes are never served by repo=.
  { category: '*', pattern: '(^|/)test/', prefix: '' },

  { category: 'Fedora Linux', pattern: `^releases/${VERSION}/Everything/source/tree$`, prefix: 'fedora-source-$1' },
  { category: 'Fedora Linux', pattern: `^releases/${VERSION}/Everything/${ARCH}/debug/tree$`, prefix: 'fedora-debug-$1' },
  { category: 'Fedora Linux', pattern: `^releases/${VERSION}/Everything/${ARCH}/os$`, prefix: 'fedora-$1' },
  { category: 'Fedora Linux', pattern: `^releases/${VERSION}/Fedora/${ARCH}/os$`, prefix: 'fedora-install-$1' },
  { category: 'Fedora Linux', pattern: `^updates/testing/${VERSION}/Everything/${ARCH}/debug$`, prefix: 'updates-testing-debug-f$1' },
  { category: 'Fedora Linux', pattern: `^updates/testing/${VERSION}/Everything/${ARCH}$`, prefix: 'updates-testing-f$1' },
  { category: 'Fedora Linux', pattern: `^updates/${VERSION}/Everything/${ARCH}/debug$`, prefix: 'updates-released-debug-f$1' },
  { category: 'Fedora Linux', pattern: `^updates/${VERSION}/Everything/${ARCH}$`, prefix: 'updates-released-f$1' },
  { category: 'Fedora Linux', pattern: `^development/rawhide/Everything/source/tree$`, prefix: 'rawhide-source' },
  { category: 'Fedora Linux', pattern: `^development/rawhide/Everything/${ARCH}/debug/tree$`, prefix: 'rawhide-debug' },
  { category: 'Fedora Linux', pattern: `^development/rawhide/Everything/${ARCH}/os$`, prefix: 'rawhide' },
  { category: 'Fedora Linux', pattern: `^development/${VERSION}/Everything/source/tree$`, prefix: 'fedora-source-$1' },
  { category: 'Fedora Linux', pattern: `^development/${VERSION}/Everything/${ARCH}/debug/tree$`, prefix: 'fedora-debug-$1' },
  { category: 'Fedora Linux', pattern: `^development/${VERSION}/Everything/${ARCH}/os$`, prefix: 'fedora-$1' },

  { category: 'Fedora EPEL', pattern: `^testing/${VERSION}/Everything/source/tree$`, prefix: 'testing-source-epel$1' },
  { category: 'Fedora EPEL', pattern: `^testing/${VERSION}/Everything/${ARCH}/debug$`, prefix: 'testing-debug-epel$1' },
  { category: 'Fedora EPEL', pattern: `^testing/${VERSION}/Everything/${ARCH}$`, prefix: 'testing-epel$1' },
  { category: 'Fedora EPEL', pattern: `^${VERSION}/Everything/source/tree$`, prefix: 'epel-source-$1' },
  { category: 'Fedora EPEL', pattern: `^${VERSION}/Everything/${ARCH}/debug$`, prefix: 'epel-debug-$1' },
  { category: 'Fedora EPEL', pattern: `^${VERSION}/Everything/${ARCH}$`, prefix: 'epel-$1' },
]

export interface CompiledPrefixRule extends PrefixRule {
  regex: RegExp
}

/** Config rules first, then the defaults. Patterns must already be valid (config.ts checks). */
export function compilePrefixRules(configured: readonly PrefixRule[], defaults = DEFAULT_PREFIX_RULES): CompiledPrefixRule[] {
  return [...configured, ...defaults].map((rule) => ({ ...rule, regex: new RegExp(rule.pattern) }))
}

/** The prefix for a repository directory, or null (no rule, or a "no prefix" rule). */
export function repositoryPrefix(rules: readonly CompiledPrefixRule[], category: string, relativePath: string): string | null {
  for (const rule of rules) {
    if (rule.category !== '*' && rule.category !== category) continue
    const match = rule.regex.exec(relativePath)
    if (!match) continue
    const prefix = rule.prefix.replace(/\$(\d)/g, (_, group: string) => match[Number(group)] ?? '')
    return prefix === '' ? null : prefix
  }
  return null
}
