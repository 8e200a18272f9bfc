import type Database from 'better-sqlite3'
import { AppError } from '../../shared/errors.js'

/** One schema step. Released steps are never edited or reordered: a new step is a new entry. */
export interface Migration {
  /** The `user_version` the database has once this step is applied: 1, 2, 3… in list order. */
  version: number
  /** What the step does, named in the error should it fail. */
  name: string
  sql: string
}

export interface MigrationResult {
  from: number
  to: number
}

/** The schema version the database file says it has (0 for a new file, or one before migrations). */
export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Refuses a database written by a newer build: its schema may mean something this build does
 * not know, so it is left exactly as it is.
 */
export function refuseNewer(db: Database.Database, migrations: readonly Migration[]): void {
  const found = userVersion(db)
  if (found > migrations.length) {
    // A user's fact (they went back to an older build), not an internal fault: say it as is.
    throw new AppError(
      'conflict',
      `the records database was written by a newer version (schema ${found}, this build knows ` +
        `${migrations.length}): open it with that version or a later one`,
    )
  }
}

/**
 * Brings the database up to the last step, each step in its own IMMEDIATE transaction that also
 * sets `user_version`, so a failed step leaves the database at the step before it. The version
 * is read again under the write lock: another process (the CLI, the signing thread) opening the
 * same file at the same moment applies each step once.
 */
export function applyMigrations(
  db: Database.Database,
  migrations: readonly Migration[],
): MigrationResult {
  checkOrder(migrations)
  refuseNewer(db, migrations)
  const from = userVersion(db)
  for (const step of migrations.slice(from)) {
    db.transaction(() => {
      refuseNewer(db, migrations)
      if (userVersion(db) >= step.version) return
      try {
        db.exec(step.sql)
      } catch (err) {
        throw new Error(
          `records database migration ${step.version} (${step.name}) failed: ${(err as Error).message}`,
          { cause: err },
        )
      }
      db.pragma(`user_version = ${step.version}`)
    }).immediate()
  }
  return { from, to: userVersion(db) }
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((step, i) => {
    if (step.version !== i + 1) {
      throw new Error(`migration ${step.name} has version ${step.version}, expected ${i + 1}`)
    }
  })
}
