/**
 * The seed's `pkgr package` command line, word for word (from the team's write-up), with only
 * the buildpack URL and the app dir replaced, and `values` filled into the `--env` words the
 * write-up left empty (`RAILS_SECRET_TOKEN=`, `AWS_ASSETS_BUCKET=`, `AWS_ACCESS_KEY=`,
 * `AWS_ACCESS_KEY_ID=`, `DATABASE_URL=`). The words after `pkgr package`.
 */
export function seedPackageArgv(
  buildpack: string,
  appDir: string,
  values: Record<string, string> = {},
): string[] {
  const filled = (name: string) => `${name}=${values[name] ?? ""}`;
  return [
    "--env",
    filled("RAILS_SECRET_TOKEN"),
    filled("AWS_ASSETS_BUCKET"),
    filled("AWS_ACCESS_KEY"),
    filled("AWS_ACCESS_KEY_ID"),
    filled("DATABASE_URL"),
    "BUILDPACK_VENDOR_URL=https://s3.amazonaws.com/ttm-pkgr/rubies",
    'STACK=""',
    "ROLE_ID=Debug.1",
    'BUNDLE_WITHOUT="development test"',
    "--name=apangea",
    "--user=www-data",
    "--group=www-data",
    `--buildpack=${buildpack}`,
    "--verbose",
    appDir,
  ];
}
