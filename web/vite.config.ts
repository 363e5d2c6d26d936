import { defineConfig } from "vite";

// The bundle goes beside the Rust module that embeds it, under fixed names, and is
// committed: building charter needs only the Rust toolchain.
export default defineConfig({
  base: "/",
  build: {
    outDir: "../src/serve/workbench/dist",
    emptyOutDir: true,
    modulePreload: false,
    reportCompressedSize: true,
    rollupOptions: {
      output: {
        entryFileNames: "assets/app.js",
        chunkFileNames: "assets/app-[name].js",
        assetFileNames: "assets/app[extname]",
      },
    },
  },
});
