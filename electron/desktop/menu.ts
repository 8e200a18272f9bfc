import type { Menu, MenuItemConstructorOptions } from 'electron'
import type { ElectronMain } from './electron-main.js'

/** The application menu: edit and zoom roles, reload and devtools only in development. */
export function buildMenu(electron: Pick<ElectronMain, 'Menu' | 'app' | 'shell'>): Menu {
  const { Menu, app, shell } = electron
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ]
  if (!app.isPackaged) {
    view.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' })
  }
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as const] : []),
    { label: 'File', submenu: [{ role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    { label: 'View', submenu: view },
    {
      label: 'Help',
      submenu: [
        {
          label: 'plgd documentation',
          click: () => void shell.openExternal('https://docs.plgd.dev/'),
        },
      ],
    },
  ]
  return Menu.buildFromTemplate(template)
}
