import type { ChecklistItem, DpsSetupResult } from '../../../shared/contract/index.js'
import { describePlan } from '../../plgd/dps-plan.js'
import { followJob } from '../follow-job.js'
import { customCommand, methodCommand, option } from './spec.js'
import { durationSeconds, readDeviceIds, readInput } from './values.js'

const hubOption = option.required('NAME', 'the hub profile (`hubs list`)')

function describeSetup(r: DpsSetupResult): string {
  const head = r.applied
    ? `applied: DPS hub record ${r.dpsHubId ?? '?'}, enrollment group ${r.enrollmentGroupId ?? '?'}\n`
    : 'dry run: nothing was changed; run again without --dry-run to apply\n'
  const rotated = r.plan.some((s) => s.action === 'rotate-secret')
  const note =
    r.applied && rotated
      ? "The DPS client's secret was rotated and sent to DPS only; the previous one keeps working for the grace period.\n"
      : ''
  const warnings = r.warnings.map((w) => `warning: ${w}\n`).join('')
  return `${describePlan(r.plan)}${head}${note}${warnings}`
}

function describeChecklist(items: ChecklistItem[]): string {
  const mark = (i: ChecklistItem): string =>
    i.done === true ? '[x]' : i.done === false ? '[ ]' : i.actor === 'hub-admin' ? '[?]' : '[-]'
  return `${items
    .map((i) => {
      const snippet = i.snippet ? `\n${i.snippet.replace(/^/gm, '      ')}` : ''
      return `${mark(i)} ${i.title}\n    ${i.detail}${snippet}`
    })
    .join('\n')}\n[?]: for the hub admin, only they can tell; [-]: yours to do, not checked here\n`
}

export const dpsCommands = [
  methodCommand({
    words: 'dps setup',
    summary: 'create or update the DPS hub record and enrollment group that use this issuer',
    details:
      'Picks the DPS client (created when missing, owner `--owner` or the hub profile\'s), reads what DPS holds as that owner and plans per field (secrets masked). Unless `--dry-run`, it rotates the DPS client\'s secret (the previous one keeps working for `--grace`) when the DPS hub record is created or updated, sends the fresh secret to DPS only, and writes the hub record and the group. Our secrets are stored hashed, so the secret DPS holds cannot be compared: it is replaced each time, unless `--keep-secret`. With `--json`: `{"plan":[…],"applied":bool,"enrollmentGroupId","dpsHubId","warnings":[…]}`.',
    options: {
      hub: hubOption,
      client: option.required('DPS_CLIENT_ID', 'the client DPS uses at this issuer'),
      group: option.required('NAME', 'the enrollment group (updated when one of that name exists)'),
      'certificate-chain': option.required(
        'FILE',
        "the manufacturer certificate chain (PEM) the devices' certificates chain to",
      ),
      'psk-file': option.text(
        'FILE',
        "the group's pre-shared key, text of at least 16 bytes (a final newline is dropped)",
      ),
      owner: option.text('OWNER', 'the owner of a DPS client created now (the group owner)'),
      'provider-name': option.text(
        'NAME',
        'the provider name coap-gateway knows DPS tokens by (default `plgd.dps`)',
      ),
      grace: option.text(
        'DURATION',
        'how long the previous DPS client secret keeps working: 600, 10m, 2h, 1d (default 1h)',
      ),
      'keep-secret': option.flag('leave the secret an existing DPS hub record holds (no rotation)'),
      'dry-run': option.flag('show the plan and change nothing'),
    },
    examples: [
      'dps setup --hub lab --client dps --group line-1 --certificate-chain mfg-chain.pem --dry-run',
      'dps setup --hub lab --client dps --group line-1 --certificate-chain mfg-chain.pem --psk-file psk.txt --grace 2h --json',
    ],
    method: 'dps.setup',
    input: (v) => ({
      hub: v.hub,
      clientId: v.client,
      group: v.group,
      certificateChainPem: readInput(v['certificate-chain']),
      preSharedKey:
        v['psk-file'] === undefined ? undefined : readInput(v['psk-file']).replace(/\r?\n$/, ''),
      owner: v.owner,
      providerName: v['provider-name'],
      graceSeconds: durationSeconds('--grace', v.grace),
      keepSecret: v['keep-secret'],
      dryRun: v['dry-run'],
    }),
    human: describeSetup,
  }),
  customCommand({
    words: 'dps watch',
    summary: "follow devices' DPS provisioning, step by step",
    details:
      'A job over DPS provisioning records: one JSON line per change with each step (ownership, credentials, acl, cloud, plgdTime) and its state; a failed step comes with its cause and fix. Then `{"summary":{"done","failed","pending"}}`. Exits 0 only when every device is done. Records are read as the owner of `--client` (the enrollment group owner), else of the hub profile.',
    options: {
      hub: hubOption,
      client: option.text('DPS_CLIENT_ID', 'read records as this client (the group owner)'),
      device: option.list('ID', 'a device id'),
      'devices-file': option.text('FILE', 'device ids from a CSV (first column) or JSON file'),
      timeout: option.integer('seconds', 'give up on a device still pending after this (600)'),
    },
    examples: [
      'dps watch --hub lab --client dps --device 2d1f3a6e-9c0b-4e3f-8f1a-5b7c2d9e0a11',
      'dps watch --hub lab --devices-file devices.csv --timeout 900 --json',
    ],
    run: async (ctx, v) => {
      const deviceIds = readDeviceIds(v.device, v['devices-file'])
      const { jobId } = await ctx.call('dps.watch', {
        hub: v.hub,
        clientId: v.client,
        deviceIds,
        timeoutSeconds: v.timeout,
      })
      return followJob(ctx, jobId, {
        summary: (counts) => ({
          done: counts.done,
          failed: counts.failed,
          // Timed out or cancelled: DPS may still finish them; a later watch tells.
          pending: counts.pending + counts.running + counts.timeout + counts.cancelled,
        }),
      })
    },
  }),
  methodCommand({
    words: 'dps checklist',
    summary: 'the operator checklist for DPS onboarding, with the YAML the hub admin adds',
    options: {
      hub: hubOption,
      client: option.text('DPS_CLIENT_ID', 'the DPS client'),
      'provider-name': option.text('NAME', 'the provider name (default `plgd.dps`)'),
    },
    examples: ['dps checklist --hub lab --client dps'],
    method: 'dps.checklist',
    input: (v) => ({ hub: v.hub, clientId: v.client, providerName: v['provider-name'] }),
    human: ({ items }) => describeChecklist(items),
  }),
]
