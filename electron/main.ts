import * as electron from 'electron'
import { desktopPlatform } from './desktop/desktop-platform.js'
import { startDesktop } from './desktop/start-desktop.js'

// The desktop app's entry (dist/node/electron/main.js): Electron's API and platform, wired in desktop/.
void startDesktop(electron, desktopPlatform())
