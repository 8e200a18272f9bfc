import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// Builds the renderer (React) into dist/renderer; main and preload are compiled by tsc.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react({})],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
  },
})
