// Moved to net/ (it is a network probe); this path stays until api/dispatcher.ts imports it there.
export { measureClockSkew } from '../net/clock-skew.js'
