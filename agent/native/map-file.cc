// mapFile(path): a file's bytes, mapped rather than read, for the agent's
// reading of its target (agent/target.ts, agent/return-decoder-worker.ts).
//
// Why: on this project's virtual machines fresh memory costs about 3.5 ms per
// MB in page faults, and reading a binary into a Buffer pays that for every
// byte read; the copy itself is a tenth of it. A private mapping of the file
// shares the page cache's pages instead: a first start reads the target's
// function table, type descriptors and code (several MB, on two threads) for
// nearly nothing. MAP_PRIVATE so that a stray write changes our copy only;
// the mapping is released when the Buffer is collected.
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
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  int err = errno;
  close(fd);
  if (data == MAP_FAILED) throw ErrnoError(env, err, "cannot map " + path);
  return Napi::Buffer<uint8_t>::New(
      env, static_cast<uint8_t*>(data), size, [](Napi::Env, uint8_t* d, size_t* len) {
        munmap(d, *len);
        delete len;
      },
      new size_t(size));
}
