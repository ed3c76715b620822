// The libbpf loader, as small as it can be: open an eBPF object, set its
// .rodata constants, load it, attach uprobes at file offsets, poll its ring
// buffer from Node's event loop, read a counters array, detach. Everything
// else (what to attach where, decoding the records) lives in TypeScript.
#include <napi.h>
#include <uv.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

Napi::Value MapFile(const Napi::CallbackInfo& info);  // map-file.cc

namespace {

// libbpf's warnings (verifier log included) are kept and put into the
// message of the error that follows them, rather than printed.
std::string g_libbpf_log;

int CaptureLibbpfLog(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  // The verifier log comes as one message of any length, its reason at the end: keep it whole.
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (n <= 0) return 0;
  std::string line(static_cast<size_t>(n) + 1, '\0');
  vsnprintf(line.data(), line.size(), fmt, args);
  line.resize(static_cast<size_t>(n));
  g_libbpf_log += line;
  if (g_libbpf_log.size() > 16384) g_libbpf_log.erase(0, g_libbpf_log.size() - 16384);
  return 0;
}

Napi::Error LibbpfError(Napi::Env env, const std::string& what, int err) {
  std::string msg = what + ": " + strerror(err < 0 ? -err : err);
  if (!g_libbpf_log.empty()) msg += "\nlibbpf: " + g_libbpf_log;
  g_libbpf_log.clear();
  return Napi::Error::New(env, msg);
}

class BpfObject : public Napi::ObjectWrap<BpfObject> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "BpfObject",
                       {InstanceMethod("setConst", &BpfObject::SetConst),
                        InstanceMethod("setAutoload", &BpfObject::SetAutoload),
                        InstanceMethod("setMaxEntries", &BpfObject::SetMaxEntries),
                        InstanceMethod("load", &BpfObject::Load),
                        InstanceMethod("attachUprobe", &BpfObject::AttachUprobe),
                        InstanceMethod("linkCount", &BpfObject::LinkCount),
                        InstanceMethod("pollRingBuffer", &BpfObject::PollRingBuffer),
                        InstanceMethod("readCounters", &BpfObject::ReadCounters),
                        InstanceMethod("close", &BpfObject::Close)});
  }

  explicit BpfObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfObject>(info) {
    std::string path = info[0].As<Napi::String>();
    g_libbpf_log.clear();
    obj_ = bpf_object__open_file(path.c_str(), nullptr);
    long err = libbpf_get_error(obj_);
    if (err) {
      obj_ = nullptr;
      throw LibbpfError(info.Env(), "open " + path, static_cast<int>(err));
    }
  }

  ~BpfObject() override { Release(); }

 private:
  bpf_object* obj_ = nullptr;
  std::vector<bpf_link*> links_;
  ring_buffer* rb_ = nullptr;
  uv_poll_t* poll_ = nullptr;
  uv_timer_t* linger_ = nullptr;
  uint64_t linger_ms_ = 0;
  Napi::FunctionReference on_records_;
  // One drain's records, reused from drain to drain: a fresh buffer each time
  // cost a page fault per 4 kB of spans.
  std::vector<char> batch_;
  bool loaded_ = false;

  bpf_object* Obj(Napi::Env env) {
    if (!obj_) throw Napi::Error::New(env, "eBPF object is closed");
    return obj_;
  }

  bpf_map* Map(Napi::Env env, const std::string& name) {
    bpf_map* map = bpf_object__find_map_by_name(Obj(env), name.c_str());
    if (!map) throw Napi::Error::New(env, "no map named " + name + " in the eBPF object");
    return map;
  }

  // setConst(name, value: bigint): writes a `const volatile` global of the
  // object's .rodata before load; its offset and size come from the BTF DATASEC.
  void SetConst(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string name = info[0].As<Napi::String>();
    bool lossless = true;
    uint64_t value = info[1].As<Napi::BigInt>().Uint64Value(&lossless);
    if (loaded_) throw Napi::Error::New(env, "setConst(" + name + ") after load: .rodata is frozen");
    bpf_map* rodata = nullptr;
    bpf_map* map;
    bpf_object__for_each_map(map, Obj(env)) {
      const char* n = bpf_map__name(map);
      size_t len = strlen(n);
      if (len >= 7 && strcmp(n + len - 7, ".rodata") == 0) rodata = map;
    }
    if (!rodata) throw Napi::Error::New(env, "the eBPF object has no .rodata");
    const btf* b = bpf_object__btf(obj_);
    int sec_id = b ? btf__find_by_name_kind(b, ".rodata", BTF_KIND_DATASEC) : -1;
    if (sec_id < 0) throw Napi::Error::New(env, "the eBPF object has no BTF for .rodata");
    const btf_type* sec = btf__type_by_id(b, sec_id);
    const btf_var_secinfo* vars = btf_var_secinfos(sec);
    for (int i = 0; i < btf_vlen(sec); i++) {
      const btf_type* var = btf__type_by_id(b, vars[i].type);
      if (name != btf__name_by_offset(b, var->name_off)) continue;
      size_t size = 0;
      auto* initial = static_cast<const uint8_t*>(bpf_map__initial_value(rodata, &size));
      if (!initial || vars[i].offset + vars[i].size > size) throw Napi::Error::New(env, "no initial value for .rodata");
      if (vars[i].size != 8 && vars[i].size != 4) throw Napi::Error::New(env, name + " is neither 4 nor 8 bytes wide");
      if (vars[i].size == 4 && value > UINT32_MAX) throw Napi::RangeError::New(env, name + " does not fit in 32 bits");
      // libbpf 1.1 hands out a read-only view: copy, patch, set back.
      std::vector<uint8_t> data(initial, initial + size);
      memcpy(data.data() + vars[i].offset, &value, vars[i].size);  // little-endian, like the BPF target
      int err = bpf_map__set_initial_value(rodata, data.data(), data.size());
      if (err) throw LibbpfError(env, "set " + name, err);
      return;
    }
    throw Napi::Error::New(env, "no constant named " + name + " in .rodata");
  }

  // setAutoload(program, false): the program is not loaded (nor verified) with the object.
  void SetAutoload(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string name = info[0].As<Napi::String>();
    if (loaded_) throw Napi::Error::New(env, "setAutoload(" + name + ") after load");
    bpf_program* prog = bpf_object__find_program_by_name(Obj(env), name.c_str());
    if (!prog) throw Napi::Error::New(env, "no program named " + name);
    int err = bpf_program__set_autoload(prog, info[1].As<Napi::Boolean>().Value());
    if (err) throw LibbpfError(env, "set autoload of " + name, err);
  }

  // setMaxEntries(map, n) before load: a map no loaded program needs can be made tiny
  // (preallocated hash maps cost their whole size when created).
  void SetMaxEntries(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string name = info[0].As<Napi::String>();
    if (loaded_) throw Napi::Error::New(env, "setMaxEntries(" + name + ") after load");
    int err = bpf_map__set_max_entries(Map(env, name), info[1].As<Napi::Number>().Uint32Value());
    if (err) throw LibbpfError(env, "set max entries of " + name, err);
  }

  void Load(const Napi::CallbackInfo& info) {
    g_libbpf_log.clear();
    int err = bpf_object__load(Obj(info.Env()));
    if (err) throw LibbpfError(info.Env(), "load eBPF object", err);
    loaded_ = true;
  }

  // attachUprobe(program, binaryPath, fileOffset, pid): pid -1 for every process.
  void AttachUprobe(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string prog_name = info[0].As<Napi::String>();
    std::string path = info[1].As<Napi::String>();
    int64_t offset = info[2].As<Napi::Number>().Int64Value();
    int32_t pid = info[3].As<Napi::Number>().Int32Value();
    bpf_program* prog = bpf_object__find_program_by_name(Obj(env), prog_name.c_str());
    if (!prog) throw Napi::Error::New(env, "no program named " + prog_name);
    LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = false);
    g_libbpf_log.clear();
    bpf_link* link = bpf_program__attach_uprobe_opts(prog, pid, path.c_str(), static_cast<size_t>(offset), &opts);
    long err = libbpf_get_error(link);
    if (err) {
      char where[64];
      snprintf(where, sizeof(where), " at file offset 0x%llx", static_cast<unsigned long long>(offset));
      throw LibbpfError(env, "attach " + prog_name + " to " + path + where, static_cast<int>(err));
    }
    links_.push_back(link);
  }

  Napi::Value LinkCount(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(links_.size()));
  }

  static int OnSample(void* ctx, void* data, size_t size) {
    auto& batch = static_cast<BpfObject*>(ctx)->batch_;
    batch.insert(batch.end(), static_cast<const char*>(data), static_cast<const char*>(data) + size);
    return 0;
  }

  // pollRingBuffer(mapName, onRecords, lingerMs): the ring buffer's epoll fd
  // is watched by libuv, so nothing blocks the event loop. The eBPF programs
  // wake it once per batch, not per record (bpf/nethttp.bpf.c, wakeup_flag):
  // what they leave unannounced is drained by a timer, lingerMs after the
  // last drain that found records (so an idle ring costs no wake-up). Each
  // drain hands every record to onRecords as one ArrayBuffer (records are
  // fixed-size; TypeScript splits them), valid during the call only: its
  // memory is the next drain's, and it is detached (emptied) on return.
  void PollRingBuffer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (rb_) throw Napi::Error::New(env, "already polling");
    std::string name = info[0].As<Napi::String>();
    on_records_ = Napi::Persistent(info[1].As<Napi::Function>());
    linger_ms_ = static_cast<uint64_t>(info[2].As<Napi::Number>().Int64Value());
    batch_.reserve(bpf_map__max_entries(Map(env, name)));
    rb_ = ring_buffer__new(bpf_map__fd(Map(env, name)), OnSample, this, nullptr);
    long err = libbpf_get_error(rb_);
    if (err) {
      rb_ = nullptr;
      throw LibbpfError(env, "ring buffer " + name, static_cast<int>(err));
    }
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    poll_->data = this;
    uv_poll_init(loop, poll_, ring_buffer__epoll_fd(rb_));
    uv_poll_start(poll_, UV_READABLE, [](uv_poll_t* handle, int status, int) {
      auto* self = static_cast<BpfObject*>(handle->data);
      if (status < 0 || !self->rb_) return;
      self->Drain();
    });
    linger_ = new uv_timer_t;
    linger_->data = this;
    uv_timer_init(loop, linger_);
    // The timer alone does not keep Node running: the caller decides when to stop.
    uv_unref(reinterpret_cast<uv_handle_t*>(linger_));
  }

  void Drain() {
    batch_.clear();
    ring_buffer__consume(rb_);
    if (batch_.empty() || on_records_.IsEmpty()) return;
    if (linger_) {
      uv_timer_start(linger_, [](uv_timer_t* handle) {
        auto* self = static_cast<BpfObject*>(handle->data);
        if (self->rb_) self->Drain();
      }, linger_ms_, 0);
    }
    Napi::Env env = on_records_.Env();
    Napi::HandleScope scope(env);
    // No copy: batch_ itself, detached once onRecords returns, so that a view
    // kept by mistake reads as empty instead of as the next drain. An
    // ArrayBuffer, not a Buffer: a Buffer made here gets its prototype set, a
    // new hidden class whenever the last one was collected, and V8 then throws
    // away the optimized code of whatever reads it.
    Napi::ArrayBuffer records = Napi::ArrayBuffer::New(env, batch_.data(), batch_.size(), [](Napi::Env, void*) {});
    // MakeCallback: runs the microtasks the callback queues, as Node does for I/O.
    on_records_.MakeCallback(env.Global(), {records});
    records.Detach();
  }

  // readCounters(mapName, count): the values of an ARRAY map of u64, as bigints.
  Napi::Value ReadCounters(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string name = info[0].As<Napi::String>();
    uint32_t count = info[1].As<Napi::Number>().Uint32Value();
    bpf_map* map = Map(env, name);
    Napi::Array out = Napi::Array::New(env, count);
    for (uint32_t i = 0; i < count; i++) {
      uint64_t value = 0;
      int err = bpf_map__lookup_elem(map, &i, sizeof(i), &value, sizeof(value), 0);
      if (err) throw LibbpfError(env, "read " + name, err);
      out[i] = Napi::BigInt::New(env, value);
    }
    return out;
  }

  // close(): drains what is left, stops polling, detaches every uprobe, frees the object.
  void Close(const Napi::CallbackInfo& info) {
    if (rb_ && !on_records_.IsEmpty()) Drain();
    Release();
  }

  // Closing a uprobe's perf-event link waits in the kernel for the tracepoint's
  // unregistration to synchronize (RCU), about 80 ms here: one link after another, an
  // agent with 20 uprobes took 1.6 s to exit. Waiters at the same time share part of
  // that wait, so the links are closed from a thread each: 1.1 s for the same 20 (the
  // kernel still serializes the rest under its own lock).
  void DestroyLinks() {
    std::vector<std::thread> closers;
    closers.reserve(links_.size());
    for (bpf_link* link : links_) {
      try {
        closers.emplace_back([link] { bpf_link__destroy(link); });
      } catch (const std::system_error&) {
        bpf_link__destroy(link);  // no thread to be had (it may run from a destructor): close it here
      }
    }
    for (std::thread& t : closers) t.join();
    links_.clear();
  }

  void Release() {
    if (poll_) {
      uv_poll_stop(poll_);
      uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
      poll_ = nullptr;
    }
    if (linger_) {
      uv_timer_stop(linger_);
      uv_close(reinterpret_cast<uv_handle_t*>(linger_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
      linger_ = nullptr;
    }
    if (rb_) {
      ring_buffer__free(rb_);
      rb_ = nullptr;
    }
    DestroyLinks();
    if (obj_) {
      bpf_object__close(obj_);
      obj_ = nullptr;
    }
    on_records_.Reset();
  }
};

// clockPair(): [CLOCK_REALTIME, CLOCK_MONOTONIC] in ns, so TypeScript can turn
// bpf_ktime_get_ns() (monotonic) into wall-clock time. The realtime read is
// bracketed by two monotonic reads, and the tightest of a few tries is kept: a
// preemption between the reads on a loaded machine would otherwise skew every
// span by as long as the thread waited.
Napi::Value ClockPair(const Napi::CallbackInfo& info) {
  auto ns = [](const timespec& t) -> uint64_t { return static_cast<uint64_t>(t.tv_sec) * 1000000000ull + t.tv_nsec; };
  uint64_t best_width = UINT64_MAX, best_real = 0, best_mono = 0;
  for (int i = 0; i < 5; i++) {
    timespec mono1, real, mono2;
    clock_gettime(CLOCK_MONOTONIC, &mono1);
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_MONOTONIC, &mono2);
    uint64_t width = ns(mono2) - ns(mono1);
    if (width < best_width) {
      best_width = width;
      best_real = ns(real);
      best_mono = ns(mono1) + width / 2;
    }
  }
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out[0u] = Napi::BigInt::New(info.Env(), best_real);
  out[1u] = Napi::BigInt::New(info.Env(), best_mono);
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  libbpf_set_print(CaptureLibbpfLog);
  exports.Set("BpfObject", BpfObject::Init(env));
  exports.Set("clockPair", Napi::Function::New(env, ClockPair));
  exports.Set("mapFile", Napi::Function::New(env, MapFile));
  return exports;
}

}  // namespace

NODE_API_MODULE(loader, Init)
