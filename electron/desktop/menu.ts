import type { Menu, MenuItemConstructorOptions } from 'electron'
import type { AboutView } from '../../shared/contract/index.js'
import { aboutBeforeOpen, showAboutDialog, type AboutFacts } from './about-dialog.js'
import type { ElectronMain } from './electron-main.js'
import { PRODUCT_NAME } from './electron-main.js'

export interface MenuActions {
  /**
   * About from the running app (`about.get`): undefined while the data directory is not open,
   * when About shows what main knows without it.
   */
  about?: () => Promise<AboutView | undefined>
}

/**
 * The application menu: edit and zoom roles, About (in the app menu on macOS, under Help
 * elsewhere), reload and devtools only in development.
 */
export function buildMenu(
  electron: Pick<ElectronMain, 'Menu' | 'app' | 'shell' | 'dialog'>,
  actions: MenuActions = {},
): Menu {
  const { Menu, app, shell, dialog } = electron
  const aboutItem: MenuItemConstructorOptions = {
    label: `About ${PRODUCT_NAME}`,
    click: () => {
      void aboutFacts(app, actions).then((about) => showAboutDialog(dialog, about))
    },
  }
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
  const mac = process.platform === 'darwin'
  const template: MenuItemConstructorOptions[] = [
    ...(mac
      ? [
          {
            label: PRODUCT_NAME,
            submenu: [
              aboutItem,
              { type: 'separator' },
              { role: 'services' },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' },
              { role: 'quit' },
            ],
          } satisfies MenuItemConstructorOptions,
        ]
      : []),
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
        ...(mac ? [] : [{ type: 'separator' } as const, aboutItem]),
      ],
    },
  ]
  return Menu.buildFromTemplate(template)
}

/** The running app's About, else what main knows before the data directory is open. */
async function aboutFacts(
  app: Pick<ElectronMain['app'], 'getPath'>,
  actions: MenuActions,
): Promise<AboutFacts> {
  try {
    const running = await actions.about?.()
    if (running) return running
  } catch {
    // An app that cannot answer still has a version to show.
  }
  return aboutBeforeOpen(app)
}
