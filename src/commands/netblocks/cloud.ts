import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { HOST_REFERENCE_HELP } from '../../lib/hosts/host-ref.js'
import { UsageError } from '../../lib/errors.js'
import { CLOUD_RANGE_URLS, cloudPrefixes, DEFAULT_CLOUD_SERVICE, loadCloudRanges, syncCloudNetblocks, type CloudProvider, type CloudSyncResult } from '../../lib/netblocks/cloud-ranges.js'

export default class NetblocksCloud extends DatabaseCommand {
  static override summary = 'Keep a host\'s netblocks equal to a cloud provider\'s published ranges of one region.'
  static override description = `Reads the provider's published IP ranges (aws ip-ranges.json, Azure ServiceTags_Public JSON, Google Cloud cloud.json), keeps those of --region (and --service; aws default EC2), adds the missing ones to the host's netblocks and removes the ones this command added earlier for the same provider, region and service that are no longer listed. Netblocks added by hand are never touched. Prints the diff; one transaction; --dry-run changes nothing.

Replaces MirrorManager2's update-EC2-netblocks, for any site and host: run it once per region mirror.`
  static override examples = [
    { description: 'A mirror inside AWS us-east-1 serves EC2 clients of its region', command: '<%= config.bin %> <%= command.id %> --provider aws --host "Red Hat/s3-mirror-us-east-1.fedoraproject.org" --region us-east-1' },
    { description: 'Azure, from a downloaded service tags file, without changing anything', command: '<%= config.bin %> <%= command.id %> --provider azure --host azure-mirror.example.org --region westeurope --from ServiceTags_Public_20260101.json --dry-run' },
  ]

  static override flags = {
    provider: Flags.string({ summary: 'Whose ranges.', options: ['aws', 'azure', 'gcp'], required: true }),
    host: Flags.string({ summary: HOST_REFERENCE_HELP, required: true }),
    region: Flags.string({ summary: 'Region as the provider names it (us-east-1, westeurope, europe-west1).', required: true }),
    service: Flags.string({ summary: 'Only this service (aws: EC2 by default; azure: systemService; gcp: service).' }),
    from: Flags.string({ summary: 'The ranges document, file or http(s) URL. Default: the provider\'s published URL (azure: required).' }),
    'dry-run': Flags.boolean({ summary: 'Print the diff; change nothing.' }),
  }

  async run(): Promise<CloudSyncResult> {
    const { flags } = await this.parse(NetblocksCloud)
    const provider = flags.provider as CloudProvider
    const from = flags.from ?? CLOUD_RANGE_URLS[provider]
    if (!from) throw new UsageError(`--provider ${provider} needs --from (the file name of its published ranges changes)`)
    const service = flags.service ?? DEFAULT_CLOUD_SERVICE[provider]
    const prefixes = cloudPrefixes(provider, await loadCloudRanges(from), flags.region, service)
    const database = await this.db()
    const result = await syncCloudNetblocks(database.sql, { host: flags.host, provider, region: flags.region, service, prefixes, dryRun: flags['dry-run'] })
    for (const prefix of result.added) this.log(`+ ${prefix}`)
    for (const prefix of result.removed) this.log(`- ${prefix}`)
    this.logger.info(`${result.host}: ${result.added.length} added, ${result.removed.length} removed, ${result.kept} kept, ${result.alreadyByHand.length} already there by hand${result.dryRun ? ' (dry run, nothing changed)' : ''}`)
    return result
  }
}
