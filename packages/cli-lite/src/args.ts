import type { ArgsDef } from "citty";

/** Flags every command takes. */
export const globalArgs = {
  json: { type: "boolean", description: "Print one JSON object per event on stdout, then the result" },
  verbose: { type: "boolean", description: "Also show log lines from child processes" },
  debug: { type: "boolean", description: "Show stack traces with errors" },
  config: {
    type: "string",
    valueHint: "file",
    description:
      "Config file (default: deploykit.config.json/.yml/.yaml or .deploykit.yml here or in a parent dir; DEPLOYKIT_<KEY> variables override it)",
  },
} as const satisfies ArgsDef;

/** Flags of the commands that talk to a store. */
export const storeArgs = {
  store: {
    type: "string",
    valueHint: "location",
    description: "Where releases live: a directory, file://… or s3://bucket/prefix (config: store)",
  },
  endpoint: { type: "string", valueHint: "url", description: "S3: a custom endpoint (MinIO, Ceph…)" },
  region: { type: "string", description: "S3: the bucket's region" },
  "path-style": { type: "boolean", description: "S3: path-style URLs (config: forcePathStyle)" },
} as const satisfies ArgsDef;

/** Flags naming the server a host root is on, for the commands that work over SSH. */
export const sshArgs = {
  host: {
    type: "string",
    valueHint: "user@server[:port]",
    description:
      "Work on this server over SSH (the system ssh client, its config, agent and known_hosts) instead of this machine; --root is then a path on the server (config: host)",
  },
  "ssh-config": {
    type: "string",
    valueHint: "file",
    description: "With --host: an ssh_config file used instead of ~/.ssh/config (config: sshConfig)",
  },
  sudo: {
    type: "boolean",
    description:
      "With --host: run every command on the server through password-less `sudo -n` as root (e.g. dpkg for .deb releases) (config: sudo)",
  },
  "sudo-user": {
    type: "string",
    valueHint: "user",
    description: "With --host: … as this user instead of root, like Capistrano's `as` (config: sudoUser)",
  },
} as const satisfies ArgsDef;

/** Flags of the commands that work on a host root. */
export const hostArgs = {
  app: { type: "string", description: "App name (config: app)" },
  root: {
    type: "string",
    valueHint: "dir",
    description: "Host root holding releases/ and current (config: root)",
  },
  "lock-timeout-ms": {
    type: "string",
    valueHint: "ms",
    description:
      "Wait this long for another deploy's lock on the root (config: lockTimeoutMs; default 0: refuse)",
  },
} as const satisfies ArgsDef;
