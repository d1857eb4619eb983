// wrangler and the vitest plugin both turn a `.wasm?module` import into a compiled WebAssembly.Module;
// without the suffix tsc would pick the package's cedar_wasm_bg.wasm.d.ts (instance exports, no default).
declare module "*.wasm?module" {
  const module: WebAssembly.Module
  export default module
}
