/**
 * The Debian Go team's package naming convention (as dh-make-golang applies
 * it): the import path with its host shortened, `/` and `.` and `_` turned into
 * `-`, lower-cased, between `golang-` and `-dev`:
 *   github.com/segmentio/kafka-go -> golang-github-segmentio-kafka-go-dev
 *   golang.org/x/net              -> golang-golang-x-net-dev
 *   google.golang.org/grpc        -> golang-google-grpc-dev
 *   go.opentelemetry.io/otel      -> golang-opentelemetry-otel-dev
 */
const HOSTS: Record<string, string> = {
  'github.com': 'github',
  'gitlab.com': 'gitlab',
  'bitbucket.org': 'bitbucket',
  'code.google.com': 'googlecode',
  'cloud.google.com': 'googlecloud',
  'google.golang.org': 'google',
  'golang.org': 'golang',
  'gopkg.in': 'gopkg',
  'go.uber.org': 'uber',
  'salsa.debian.org': 'debian',
};

/** A host not in the table: drop a leading `go.`/`www.` and the top-level domain (go.opentelemetry.io -> opentelemetry). */
function shortHost(host: string): string {
  if (HOSTS[host]) return HOSTS[host];
  const parts = host.split('.');
  if (parts.length > 1) parts.pop();
  while (parts.length > 1 && (parts[0] === 'go' || parts[0] === 'www')) parts.shift();
  return parts.join('-');
}

/** The conventional Debian package name of an import path. */
export function conventionalPackageName(importPath: string): string {
  const [host, ...rest] = importPath.split('/');
  const words = [shortHost(host), ...rest].join('-');
  return `golang-${words.toLowerCase().replace(/[._/~+]/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '')}-dev`;
}

/**
 * Candidate package names for an import path, most specific first: the
 * convention applied to the path and then to each parent (a nested module
 * such as go.opentelemetry.io/otel/trace ships in its repository's package,
 * golang-opentelemetry-otel-dev).
 */
export function candidatePackageNames(importPath: string): string[] {
  const parts = importPath.split('/');
  const out: string[] = [];
  for (let n = parts.length; n >= 1; n--) {
    const name = conventionalPackageName(parts.slice(0, n).join('/'));
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
