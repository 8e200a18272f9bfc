/** The CLI commands the console points to for what it deliberately does not do itself. */
export const CLI_BUNDLE_KEEP_UPDATED = 'plgd-m2m-console export bundle --out DIR'
export const CLI_PLGD_WITH_KEY = 'plgd-m2m-console export plgd --out DIR --include-private-key'
