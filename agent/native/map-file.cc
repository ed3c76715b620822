// mapFile(path): a file's bytes, mapped rather than read, for the agent's
// reading of its target (agent/target.ts, agent/return-decoder-worker.ts).
//
// Why: on this project's virtual machines fresh memory costs about 3.5 ms per
// MB in page faults, and reading a binary into a Buffer pays that for every
// byte read; the copy itself is a tenth of it. A private mapping of the file
// shares the page cache's pages instead: a read fault maps them as they are
// (the kernel's fault-around maps 16 pages at a time), only the parts the
// reader touches are ever mapped, and a stray write copies that one page and
// changes our copy only. (MAP_POPULATE is not used: on a writable private
// mapping it faults every page in for writing, which copies the whole file.)
// The mapping is released when the Buffer is collected. A file truncated
// while mapped would make a read past its new end fault (SIGBUS): the agent
// maps a running executable, which the kernel keeps from being written
// (ETXTBSY), or one it was pointed at, for the few hundred ms of a first start.
#include <napi.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace {

Napi::Error ErrnoError(Napi::Env env, int err, const std::string& what) {
  Napi::Error e = Napi::Error::New(env, what + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  return e;
}

}  // namespace

Napi::Value MapFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ErrnoError(env, errno, "cannot open " + path);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    throw ErrnoError(env, err, "cannot stat " + path);
  }
  size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    close(fd);
    return Napi::Buffer<uint8_t>::New(env, 0);
  }
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  int err = errno;
  close(fd);
  if (data == MAP_FAILED) throw ErrnoError(env, err, "cannot map " + path);
  size_t* len = new size_t(size);
  try {
    return Napi::Buffer<uint8_t>::New(
        env, static_cast<uint8_t*>(data), size, [](Napi::Env, uint8_t* d, size_t* n) {
          munmap(d, *n);
          delete n;
        },
        len);
  } catch (...) {
    munmap(data, size);
    delete len;
    throw;
  }
}
