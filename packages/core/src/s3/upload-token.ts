/** Metadata key holding a per-write token, so a retried write can tell that its earlier attempt landed. */
export const UPLOAD_TOKEN = "deploykit-upload";
