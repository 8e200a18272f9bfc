// @vitest-environment node
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readDeviceIds } from '../../electron/headless/commands/values.js'

/** `--device ID...` and `--devices-file FILE`, as dps watch and configs apply read them. */

const scratch = mkdtempSync(join(tmpdir(), 'plgd-device-list-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('readDeviceIds', () => {
  const file = (name: string, text: string): string => {
    const path = join(scratch, name)
    writeFileSync(path, text)
    return path
  }

  it('reads a CSV with an id or deviceId column, or one id per line', () => {
    expect(readDeviceIds(undefined, file('a.csv', 'name,deviceId\nlamp,d1\n\nfan,d2\n'))).toEqual([
      'd1',
      'd2',
    ])
    expect(readDeviceIds(undefined, file('b.csv', 'ID\r\nd1\r\n'))).toEqual(['d1'])
    expect(readDeviceIds(undefined, file('c.csv', '\uFEFFd1\nd2\n# a comment\nd3\n'))).toEqual([
      'd1',
      'd2',
      'd3',
    ])
  })

  it('reads JSON: ids, or objects with id or deviceId', () => {
    expect(readDeviceIds(undefined, file('a.json', '["d1","d2"]'))).toEqual(['d1', 'd2'])
    expect(readDeviceIds(undefined, file('b.json', '[{"id":"d1"},{"deviceId":"d2"}]'))).toEqual([
      'd1',
      'd2',
    ])
  })

  it('joins --device and the file, each id once', () => {
    expect(readDeviceIds(['d2', 'd9'], file('d.csv', 'd1\nd2\n'))).toEqual(['d2', 'd9', 'd1'])
  })

  it('names the file and the line of what is wrong', () => {
    const csv = file('bad.csv', 'name,deviceId\nlamp,d1\nfan,\n')
    expect(() => readDeviceIds(undefined, csv)).toThrow(`${csv}: line 3 has no device id`)
    const header = file('nohead.csv', 'name,serial\nlamp,1\n')
    expect(() => readDeviceIds(undefined, header)).toThrow(
      `${header}: line 1 should be a header naming an "id"`,
    )
    const json = file('bad.json', '[{"id":"d1"},{"name":"x"}]')
    expect(() => readDeviceIds(undefined, json)).toThrow(`${json}: entry 2 has no device id`)
    expect(() => readDeviceIds(undefined, file('broken.json', '[1,'))).toThrow('is not valid JSON')
    expect(() => readDeviceIds(undefined, join(scratch, 'missing.csv'))).toThrow('cannot read')
    expect(() => readDeviceIds(undefined, undefined)).toThrow('give --device ID')
    expect(() => readDeviceIds(undefined, file('empty.csv', '\n'))).toThrow('lists no device ids')
  })
})
