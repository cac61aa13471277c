export type { AnonymousFetch } from "./anonymous-fetch";
export {
  DEFAULT_VENDOR_LAYOUT,
  parseVendorKey,
  renderVendorKey,
  type VendorKeyValues,
  type VendorLayout,
} from "./layout";
export { type ListVendoredOptions, listVendored, type VendoredEntry } from "./list";
export { findOnPath, type ToolLookup } from "./tools";
export { VENDOR_KINDS, type VendoredRuntime, type VendorKind, type VendorOptions } from "./types";
export { vendorRuntime } from "./vendor-runtime";
export { vendorBaseUrl } from "./vendor-url";
