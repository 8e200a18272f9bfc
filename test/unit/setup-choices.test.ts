// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { completeSetupInput } from '../../shared/contract/index.js'
import type { KeyAlgorithm } from '../../shared/enums.js'
import { AppError } from '../../shared/errors.js'
import { setupChoices } from '../../electron/api/methods/setup-choices.js'

const answers = (input: Record<string, unknown>) => completeSetupInput.parse(input)
const unused = { activeAlg: 'ES256' as const, issuedTokens: 0 }

describe('setup choices: where the issuer listens', () => {
  it('keeps the issuer on loopback unless told to expose it', () => {
    expect(setupChoices(answers({}), unused).settings).toEqual({
      publicHost: null,
      listenHost: '127.0.0.1',
    })
  })

  it('listens on every interface for the LAN, with the host name hubs use', () => {
    const { settings } = setupChoices(
      answers({ exposeOnLan: true, publicHost: 'issuer.lan', port: 9443 }),
      unused,
    )
    expect(settings).toEqual({ publicHost: 'issuer.lan', port: 9443, listenHost: '0.0.0.0' })
    // The audit entry of the settings change lists these keys in this order.
    expect(Object.keys(settings)).toEqual(['publicHost', 'port', 'listenHost'])
  })

  it('leaves the port alone when none is given', () => {
    expect(setupChoices(answers({ publicHost: 'issuer.lan' }), unused).settings).not.toHaveProperty(
      'port',
    )
  })

  it('refuses the LAN without a host name, as an exposed invalid_input', () => {
    const refuse = (): unknown => setupChoices(answers({ exposeOnLan: true }), unused)
    expect(refuse).toThrow(AppError)
    expect(refuse).toThrow('exposing the issuer on the LAN needs the host name hubs use')
    try {
      refuse()
    } catch (err) {
      expect(err).toMatchObject({ code: 'invalid_input', expose: true })
    }
  })
})

describe('setup choices: the signing key', () => {
  it.each<[string, { activeAlg: KeyAlgorithm; issuedTokens: number }, string]>([
    ['the active key already uses it', { activeAlg: 'RS256', issuedTokens: 5 }, 'keep'],
    [
      'nothing was signed yet: swap the unused key',
      { activeAlg: 'ES256', issuedTokens: 0 },
      'replace',
    ],
    [
      'tokens were issued: rotate, keeping the old key published',
      { activeAlg: 'ES256', issuedTokens: 1 },
      'rotate',
    ],
  ])('RS256 asked, %s', (_name, current, expected) => {
    expect(setupChoices(answers({ alg: 'RS256' }), current).key).toBe(expected)
  })

  it('defaults to ES256, so a fresh ES256 key is kept', () => {
    expect(setupChoices(answers({}), unused).key).toBe('keep')
  })
})
