export {};
export * from "./vendor/index";
