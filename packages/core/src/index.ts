/**
 * deploykit's core: the release model, artifact stores, and the publish / install / restart /
 * deploy / rollback operations. Side effects go through injectable ports; test doubles live in
 * `@deploykit/core/testing`, the S3 store in `@deploykit/core/s3`.
 *
 * @packageDocumentation
 */
export { type ChannelPointer, readChannel } from "./channel";
export type {
  ConnectionStats,
  ExecOptions,
  ExecResult,
  HostConnection,
  UploadOptions,
} from "./connection/connection";
export { hostPorts, hostProcessTable, hostRunner, resolveHostPorts } from "./connection/host-ports";
export { localHost } from "./connection/local-host";
export {
  type RemoteProcessFacts,
  remoteChangeTime,
  remoteChildPids,
  remoteFileSize,
  remotePortOwner,
  remotePortOwners,
  remoteProcessFacts,
  remoteReadFrom,
} from "./connection/remote-processes";
export { type SshHostOptions, sshHost } from "./connection/ssh-host";
export { type DeployOptions, deploy } from "./deploy";
export { type AssertDirectoryOptions, assertDirectory } from "./directory";
export {
  DeployKitError,
  type DeployKitErrorOptions,
  type ErrorCode,
  isDeployKitError,
  throwIfAborted,
} from "./errors";
export type {
  DeployEvent,
  EventBase,
  EventSink,
  LogEvent,
  OperationOptions,
  ProgressEvent,
  StepFinishEvent,
  StepStartEvent,
  WarningEvent,
} from "./events";
export { step } from "./events";
export type { DeployResult } from "./gate";
export { type HashingStream, hashingStream, sha256Hex, sha256OfFile, sha256OfStream } from "./hashing";
export { type HealthcheckOptions, type ProbeOutcome, probeHealth, waitHealthy } from "./healthcheck";
export { type ActivateDebOptions, type ActivatedDeb, activateDeb } from "./host/deb-activate";
export { bootTicks, processesStartedUnder } from "./host/in-use";
export { type HostLayout, hostLayout } from "./host/layout";
export { makeDirectories } from "./host/make-dirs";
export type { HostOptions } from "./host/plan";
export { describePortOwner, type PortOwner, portOwner, portOwners } from "./host/port-owner";
export type { KeptRelease } from "./host/prune";
export type { HistoryEntry } from "./host/state";
export { type InstalledRelease, type InstallOptions, install } from "./install";
export { inspectLock, type LockOptions, type LockOwner, type LockStatus, releaseLock } from "./lock";
export { type LogTail, type TailLogsOptions, tailLogs } from "./logs";
export {
  type ArtifactFormat,
  MANIFEST_SCHEMA_VERSION,
  parseManifest,
  parseManifestJson,
  type ReleaseManifest,
} from "./manifest";
export { assertAppName, assertTgzVersion, assertVersion, parseVersion, type VersionParts } from "./names";
export type { BuiltPackage } from "./package";
export { planInstall, planRollback, type ReleasePlan } from "./plan";
export type { Clock } from "./ports/clock";
export {
  createHttpProbe,
  type HttpProbe,
  type HttpProbeOptions,
  type ProbeResponse,
} from "./ports/http-probe";
export { type Ports, resolvePorts } from "./ports/index";
export type {
  ProcessExit,
  ProcessRunner,
  RunOptions,
  RunResult,
  SpawnedProcess,
  SpawnOptions,
} from "./ports/process-runner";
export type { ProcessFacts, ProcessTable } from "./ports/process-table";
export { launchPrelude, launchScript, type ProcessLaunch, shellQuote } from "./process-launch";
export { type PromoteOptions, type PromoteResult, promote } from "./promote";
export { type PruneOptions, type PruneResult, prune } from "./prune";
export { type PublishedRelease, type PublishOptions, publish, readManifest } from "./publish";
export {
  type HostReleaseInfo,
  type HostReleases,
  listInstalled,
  listPublished,
  liveRelease,
  type ReadHostOptions,
} from "./releases";
export { type StagedArtifact, stageArtifact } from "./remote/staged-artifact";
export type { ReleaseSelector } from "./resolve-release";
export { restart, strategyContext } from "./restart";
export { type RestartLiveOptions, type RestartLiveResult, restartLive } from "./restart-live";
export { type RollbackOptions, rollback } from "./rollback";
export { type RanProcess, type RunProcessOptions, runProcess } from "./run-process";
export { type HostStatus, type StatusOptions, type StatusRelease, status } from "./status";
export type {
  ArtifactStore,
  ByteRange,
  GetOptions,
  ObjectInfo,
  PutFileOptions,
  PutOptions,
} from "./store/artifact-store";
export { createFsStore, type FsStoreOptions } from "./store/fs-store";
export { assertStoreKey, objectExists, objectNotFound, storeKeys } from "./store/keys";
export { type FileToStore, type PutFileOnceOptions, putFileOnce } from "./store/put-once";
export type {
  HostRelease,
  RestartContext,
  RestartResult,
  RuntimeStrategy,
  StrategyContext,
  StrategyStatus,
} from "./strategy";
export { closestMatch, didYouMean } from "./suggest";
export type { ArtifactTransfer } from "./transfer";
export {
  type GeneratedSigningKey,
  type GenerateKeyOptions,
  generateSigningKey,
  readSecretKey,
  type SignKey,
} from "./trust/key-files";
export {
  type PublicKey,
  parsePublicKey,
  parseSecretKey,
  publicKeyFileText,
  SecretKey,
  type SecretKeyOptions,
} from "./trust/minisign-key";
export {
  type SignOptions,
  signFile,
  signMessage,
  type VerifiedSignature,
  verifyMessage,
} from "./trust/minisign-signature";
export type { TrustPolicy } from "./trust/policy";
export type { StoredSignature } from "./trust/publish-signature";
export { compareVersions } from "./version-order";
export { type WaitOptions, waitUntil } from "./wait";
