import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

let root: string | undefined

/**
 * The installed package's folder, found from this file wherever the build put it (the CLI
 * bundle in dist/cli, the compiled tree in dist/node/…, or the sources under tests).
 */
export function packageRoot(): string {
  if (root) return root
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'plgd-m2m-console'
    ) {
      root = dir
      return dir
    }
    if (dirname(dir) === dir) throw new Error('cannot find the plgd-m2m-console package folder')
  }
}

export function packageVersion(): string {
  return (
    JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
  ).version
}

/** The renderer build (vite) that the headless console serves. */
export function rendererDir(): string {
  return join(packageRoot(), 'dist', 'renderer')
}
