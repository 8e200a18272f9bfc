import { AppError } from '../../../shared/errors.js'
import { CONDITION_TOKEN_WARNING } from '../../plgd/snippets.js'
import { isoTime, table } from '../output.js'
import { customCommand, methodCommand, option } from './spec.js'
import { lifetimeSeconds } from './values.js'

const hubOption = option.required('NAME', 'the hub profile (`hubs list`)')

export const conditionsCommands = [
  customCommand({
    words: 'conditions create',
    summary: 'a condition that applies a configuration when devices publish, with a token of ours',
    details:
      'Its `apiAccessToken` is minted for `--client` (for the hub\'s owner) with the lifetime you choose, bounded by the client\'s maximum; it is in the ledger, listed and revocable (`token revoke JTI`). The hub stores the token in clear and returns it in GET conditions: a warning says so on stderr. With `--json`: `{"condition":{…},"tokenJti"}`.',
    options: {
      hub: hubOption,
      config: option.required('ID', 'the configuration to apply'),
      name: option.required('NAME', 'the condition name'),
      device: option.list('ID', 'only for this device (default: any)'),
      'resource-type': option.list('TYPE', 'only for resources with this type (all given types)'),
      href: option.list('HREF', 'only for this resource href'),
      jq: option.text('EXPR', 'only when this jq expression on the content yields true'),
      client: option.required('CLIENT_ID', 'the client whose policy mints the token'),
      'token-lifetime': option.text(
        'DURATION',
        "the token's lifetime: 600, 15m, 2h or 7d; required, explicit",
      ),
      disabled: option.flag('create it disabled'),
    },
    examples: [
      'conditions create --hub lab --config 0b8f3c9e-4e1a-4c4e-9a53-8d1f0f1f2a3b --name on-publish --resource-type core.light --client snippets --token-lifetime 7d',
    ],
    run: async (ctx, v) => {
      const lifetime = lifetimeSeconds('--token-lifetime', v['token-lifetime'])
      if (lifetime === undefined) {
        throw new AppError(
          'invalid_input',
          "--token-lifetime is required: the condition's token lifetime is an explicit choice (e.g. 7d, within the client's maximum)",
        )
      }
      const value = await ctx.call('conditions.create', {
        hub: v.hub,
        configId: v.config,
        name: v.name,
        deviceIds: v.device ?? [],
        resourceTypes: v['resource-type'] ?? [],
        hrefs: v.href ?? [],
        jq: v.jq,
        clientId: v.client,
        tokenLifetimeSeconds: lifetime,
        enabled: !v.disabled,
      })
      ctx.io.err(`warning: ${CONDITION_TOKEN_WARNING}\n`)
      if (ctx.globals.json) ctx.io.out(`${JSON.stringify(value)}\n`)
      else {
        const c = value.condition
        ctx.io.out(
          `created condition ${c.id} (configuration ${c.configurationId})\n` +
            `token jti ${value.tokenJti}` +
            (c.tokenExpiresAt === null ? '' : `, expires ${isoTime(c.tokenExpiresAt)}`) +
            ` (revoke with \`token revoke ${value.tokenJti}\`)\n`,
        )
      }
      return 0
    },
  }),
  methodCommand({
    words: 'conditions list',
    summary: "a hub's conditions; tokens are shown by their jti in our ledger, never in full",
    options: { hub: hubOption },
    examples: ['conditions list --hub lab --json'],
    method: 'conditions.list',
    input: (v) => ({ hub: v.hub }),
    human: (list) =>
      table(
        ['ID', 'NAME', 'CONFIGURATION', 'ENABLED', 'TOKEN JTI', 'TOKEN EXPIRES'],
        list.map((c) => [
          c.id,
          c.name,
          c.configurationId,
          c.enabled ? 'yes' : 'no',
          c.tokenJti ?? '(not ours)',
          c.tokenExpiresAt === null ? '-' : isoTime(c.tokenExpiresAt),
        ]),
        'no conditions',
      ),
  }),
]
