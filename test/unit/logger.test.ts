// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { createLogger, redact, type LogLevel } from '../../electron/platform/logger.js'

const SECRET = 'hunter2-Zk9qP3vX'

function capture(options: { json: boolean; level?: LogLevel }) {
  const lines: string[] = []
  const log = createLogger({ ...options, write: (line) => lines.push(line) })
  return { log, lines }
}

describe('redact', () => {
  it.each([
    'secret',
    'clientSecret',
    'client_secret',
    'password',
    'Password',
    'passphrase',
    'token',
    'accessToken',
    'access_token',
    'authorization',
    'Authorization',
    'client_assertion',
    'privateKey',
    'pepper',
  ])('redacts %s', (field) => {
    expect(redact({ [field]: SECRET })).toEqual({ [field]: '[redacted]' })
  })

  it.each<[string, unknown]>([
    ['clientId', 'console-dps'],
    ['owner', '1'],
    ['method', 'clients.add'],
    ['kid', 'abc'],
    ['count', 3],
    ['list', ['a', 'b']],
  ])('keeps %s', (field, value) => {
    expect(redact({ [field]: value })).toEqual({ [field]: value })
  })

  it('redacts whatever the value is, not only strings', () => {
    expect(redact({ token: { jwt: SECRET }, secret: 42, password: null })).toEqual({
      token: '[redacted]',
      secret: '[redacted]',
      password: '[redacted]',
    })
  })

  it('logs an Error as its message only (no stack, no cause)', () => {
    const err = new Error('boom', { cause: new Error(SECRET) })
    expect(redact({ error: err })).toEqual({ error: 'boom' })
  })
})

describe('createLogger', () => {
  it.each<[boolean]>([[true], [false]])('never writes a secret field value (json %s)', (json) => {
    const { log, lines } = capture({ json })
    log.error('request failed', {
      clientId: 'dev',
      clientSecret: SECRET,
      authorization: `Basic ${SECRET}`,
      token: SECRET,
      password: SECRET,
      secret: SECRET,
    })
    expect(lines).toHaveLength(1)
    expect(lines[0]).not.toContain(SECRET)
    expect(lines[0]).toContain('dev')
    expect(lines[0]).toContain('[redacted]')
  })

  it('in JSON mode writes exactly one parseable line per entry', () => {
    const { log, lines } = capture({ json: true })
    log.warn('first\nsecond line', { clientId: 'dev', detail: 'a\nb', token: SECRET })
    expect(lines).toHaveLength(1)
    const line = lines[0] ?? ''
    expect(line.endsWith('\n')).toBe(true)
    expect(line.slice(0, -1)).not.toContain('\n')
    const entry = JSON.parse(line) as Record<string, unknown>
    expect(entry).toMatchObject({
      level: 'warn',
      message: 'first\nsecond line',
      clientId: 'dev',
      detail: 'a\nb',
      token: '[redacted]',
    })
    expect(new Date(entry.time as string).toISOString()).toBe(entry.time)
  })

  it('in text mode writes level, message and key=value pairs', () => {
    const { log, lines } = capture({ json: false })
    log.info('started', { port: 8443, hosts: ['a', 'b'], password: SECRET })
    expect(lines).toEqual(['info: started port=8443 hosts=["a","b"] password=[redacted]\n'])
  })

  it.each<[LogLevel, string[]]>([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ])('at level %s writes %j', (level, written) => {
    const { log, lines } = capture({ json: true, level })
    log.debug('d')
    log.info('i')
    log.warn('w')
    log.error('e')
    expect(lines.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(written)
  })

  it('defaults to info', () => {
    const { log, lines } = capture({ json: false })
    log.debug('hidden')
    log.info('shown')
    expect(lines).toEqual(['info: shown\n'])
  })

  it('redacts nested secrets and never lets fields replace level or message', () => {
    const { log, lines } = capture({ json: true })
    log.info('hello', {
      request: { clientSecret: SECRET, id: 'x' },
      level: 'debug',
      message: 'forged',
    })
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>
    expect(lines[0]).not.toContain(SECRET)
    expect(entry.level).toBe('info')
    expect(entry.message).toBe('hello')
    expect(entry.request).toEqual({ clientSecret: '[redacted]', id: 'x' })
  })
})
