/*
 * A stand-in for libcuda.so.1, libcublas.so.13, libnvrtc.so.13 and libnccl.so.2 with the entry points the cuda
 * backend calls, so that its host side (every FFM call site, argument type, copy size, launch, graph
 * capture and replay, error path) runs on a machine with no GPU. Device memory is host memory; every
 * copy, fill and GEMM operand is checked to lie inside one live allocation (else the status is
 * CUDA_ERROR_INVALID_VALUE, as a real driver would fault); kernels are the C-dialect build of the same
 * kernels: a module image is the path of a shared library whose functions take the slot table and
 * whose symbol j4_param_bytes says the table's size. A GEMM is a plain triple loop. NCCL has
 * communicators of one rank (a process's all-reduce is a checked device-to-device copy on the stream).
 *
 * Between cuStreamBeginCapture and cuStreamEndCapture work is recorded, not run (launch parameters
 * copied at capture, as CUDA does); cuGraphLaunch runs the record. Every entry point counts its calls
 * (j4s_calls), and j4s_fail makes a chosen call return a chosen status once, to drive error paths.
 * Built by the tests with cc. Thread-safe as the real libraries are: every entry point holds one
 * recursive lock for its whole run (kernels included), so concurrent callers are serialised.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
enum { OK = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3, INVALID_IMAGE = 200, INVALID_CONTEXT = 201,
       NOT_FOUND = 500, ILLEGAL_ADDRESS = 700, CAPTURE_UNSUPPORTED = 900, CAPTURE_INVALIDATED = 901 };

/* ---- call counts and injected failures */
#define MAX_NAMES 128
static struct { const char *name; long calls; int fail_status; long fail_at; } counters[MAX_NAMES];
static int ncounters;

static int counter(const char *name) {
    for (int i = 0; i < ncounters; i++) if (strcmp(counters[i].name, name) == 0) return i;
    counters[ncounters].name = name;
    counters[ncounters].fail_at = -1;
    return ncounters++;
}

static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static void release(int *held) { if (*held) pthread_mutex_unlock(&lock); }
/* Holds the lock until the enclosing function returns, on every path. */
#define LOCKED int held_ __attribute__((cleanup(release))) = (pthread_mutex_lock(&lock), 1)

/* Counts a call; returns the injected status when this is the call chosen by j4s_fail, else 0. */
static int enter(const char *name) {
    int i = counter(name);
    long n = counters[i].calls++;
    if (counters[i].fail_at == n) {
        counters[i].fail_at = -1;
        return counters[i].fail_status;
    }
    return OK;
}
#define ENTER(name) LOCKED; do { int injected_ = enter(name); if (injected_) return injected_; } while (0)

long j4s_calls(const char *name) {
    LOCKED;
    for (int i = 0; i < ncounters; i++) if (strcmp(counters[i].name, name) == 0) return counters[i].calls;
    return 0;
}

/* The next-but-`after` call of `name` returns `status`. */
void j4s_fail(const char *name, int status, long after) {
    LOCKED;
    static char names[MAX_NAMES][64];
    int i = -1;
    for (int k = 0; k < ncounters; k++) if (strcmp(counters[k].name, name) == 0) i = k;
    if (i < 0) {
        strncpy(names[ncounters], name, 63);
        i = counter(names[ncounters]);
    }
    counters[i].fail_status = status;
    counters[i].fail_at = counters[i].calls + after;
}

/* ---- device memory: host memory, every block registered */
typedef struct { uint64_t ptr, size; } Block;
static Block *blocks;
static int nblocks, capblocks;
static uint64_t live_bytes, memory_limit = UINT64_MAX;

void j4s_set_memory_limit(uint64_t bytes) { memory_limit = bytes; }
uint64_t j4s_live_bytes(void) { return live_bytes; }
int j4s_live_blocks(void) { return nblocks; }

static int inside(uint64_t p, uint64_t n) {
    for (int i = 0; i < nblocks; i++) if (p >= blocks[i].ptr && p + n <= blocks[i].ptr + blocks[i].size) return 1;
    return 0;
}

CUresult cuMemAlloc_v2(uint64_t *p, size_t bytes) {
    ENTER("cuMemAlloc");
    if (bytes == 0) return INVALID_VALUE;
    if (live_bytes + bytes > memory_limit) return OUT_OF_MEMORY;
    void *m = aligned_alloc(256, (bytes + 255) / 256 * 256);
    if (!m) return OUT_OF_MEMORY;
    memset(m, 0xA5, bytes); /* garbage, as fresh device memory is */
    if (nblocks == capblocks) {
        capblocks = capblocks ? 2 * capblocks : 64;
        blocks = realloc(blocks, capblocks * sizeof(Block));
    }
    blocks[nblocks++] = (Block){(uint64_t) m, bytes};
    live_bytes += bytes;
    *p = (uint64_t) m;
    return OK;
}

CUresult cuMemFree_v2(uint64_t p) {
    ENTER("cuMemFree");
    for (int i = 0; i < nblocks; i++) {
        if (blocks[i].ptr == p) {
            live_bytes -= blocks[i].size;
            blocks[i] = blocks[--nblocks];
            free((void *) p);
            return OK;
        }
    }
    return INVALID_VALUE;
}

CUresult cuMemHostAlloc(void **p, size_t bytes, unsigned flags) {
    ENTER("cuMemHostAlloc");
    *p = calloc(1, bytes ? bytes : 1);
    return *p ? OK : OUT_OF_MEMORY;
}

/* ---- work: run now, or recorded into the graph being captured */
enum Kind { COPY, FILL, LAUNCH, GEMM };
typedef struct {
    enum Kind kind;
    uint64_t dst, src, bytes;           /* COPY (src/dst checked against device blocks per direction), FILL */
    int check_src, check_dst;
    void (*fn)(const void *);           /* LAUNCH */
    void *params;
    int transa, transb, m, n, k, batch, lda, ldb, ldc, f64;   /* GEMM (column-major, cuBLAS's view) */
    long long stra, strb, strc;
    uint64_t a, b, c;
} Work;

typedef struct { Work *work; int n, cap; } Graph;
static Graph *capturing;
static void *capture_stream;

static int run(const Work *w);

static int submit(Work w) {
    if (capturing) {
        if (capturing->n == capturing->cap) {
            capturing->cap = capturing->cap ? 2 * capturing->cap : 16;
            capturing->work = realloc(capturing->work, capturing->cap * sizeof(Work));
        }
        capturing->work[capturing->n++] = w;
        return OK;
    }
    int r = run(&w);
    if (w.kind == LAUNCH) free(w.params);
    return r;
}

static double get(uint64_t base, long long i, int f64) { return f64 ? ((double *) base)[i] : ((float *) base)[i]; }

static int run(const Work *w) {
    switch (w->kind) {
        case COPY:
            if ((w->check_src && !inside(w->src, w->bytes)) || (w->check_dst && !inside(w->dst, w->bytes))) return INVALID_VALUE;
            memmove((void *) w->dst, (const void *) w->src, w->bytes);
            return OK;
        case FILL:
            if (!inside(w->dst, w->bytes)) return INVALID_VALUE;
            memset((void *) w->dst, (int) w->src, w->bytes);
            return OK;
        case LAUNCH:
            w->fn(w->params);
            return OK;
        case GEMM: {
            size_t e = w->f64 ? 8 : 4;
            long long ra = w->transa ? w->k : w->m, ca = w->transa ? w->m : w->k;   /* op(A) is m x k; A is ra x ca */
            long long rb = w->transb ? w->n : w->k, cb = w->transb ? w->k : w->n;
            if (!inside(w->a, e * ((w->batch - 1) * w->stra + (ca - 1) * w->lda + ra))) return INVALID_VALUE;
            if (!inside(w->b, e * ((w->batch - 1) * w->strb + (cb - 1) * w->ldb + rb))) return INVALID_VALUE;
            if (!inside(w->c, e * ((w->batch - 1) * w->strc + (long long) (w->n - 1) * w->ldc + w->m))) return INVALID_VALUE;
            for (int p = 0; p < w->batch; p++) {
                for (int j = 0; j < w->n; j++) {
                    for (int i = 0; i < w->m; i++) {
                        double acc = 0;
                        for (int l = 0; l < w->k; l++) {
                            double x = get(w->a, p * w->stra + (w->transa ? (long long) i * w->lda + l : (long long) l * w->lda + i), w->f64);
                            double y = get(w->b, p * w->strb + (w->transb ? (long long) l * w->ldb + j : (long long) j * w->ldb + l), w->f64);
                            acc += x * y;
                        }
                        long long at = p * w->strc + (long long) j * w->ldc + i;
                        if (w->f64) ((double *) w->c)[at] = acc;
                        else ((float *) w->c)[at] = (float) acc;
                    }
                }
            }
            return OK;
        }
    }
    return INVALID_VALUE;
}

/* ---- the driver */
static int initialised;
static int device_count = 1;

void j4s_set_device_count(int n) { device_count = n; }

CUresult cuInit(unsigned flags) { ENTER("cuInit"); initialised = 1; return OK; }
CUresult cuDeviceGetCount(int *n) { ENTER("cuDeviceGetCount"); if (!initialised) return NOT_INITIALIZED; *n = device_count; return OK; }
CUresult cuDeviceGet(int *d, int ordinal) { ENTER("cuDeviceGet"); if (ordinal >= device_count) return INVALID_VALUE; *d = ordinal; return OK; }
CUresult cuDeviceGetAttribute(int *v, int attr, int dev) {
    ENTER("cuDeviceGetAttribute");
    switch (attr) {
        case 16: *v = 4; return OK;   /* multiprocessors */
        case 75: *v = 9; return OK;   /* compute capability */
        case 76: *v = 0; return OK;
        default: return INVALID_VALUE;
    }
}
CUresult cuDeviceGetName(char *name, int len, int dev) { ENTER("cuDeviceGetName"); snprintf(name, len, "jax4j CUDA stand-in (host memory)"); return OK; }
CUresult cuDriverGetVersion(int *v) { ENTER("cuDriverGetVersion"); *v = 13000; return OK; }
static int context_token;
CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev) { ENTER("cuDevicePrimaryCtxRetain"); *ctx = &context_token; return OK; }
CUresult cuCtxSetCurrent(void *ctx) { ENTER("cuCtxSetCurrent"); return ctx == &context_token ? OK : INVALID_CONTEXT; }
static int stream_token;
CUresult cuStreamCreate(void **s, unsigned flags) { ENTER("cuStreamCreate"); *s = &stream_token; return OK; }
CUresult cuStreamSynchronize(void *s) { ENTER("cuStreamSynchronize"); return capturing ? CAPTURE_UNSUPPORTED : OK; }

CUresult cuMemcpyHtoDAsync_v2(uint64_t dst, const void *src, size_t bytes, void *s) {
    ENTER("cuMemcpyHtoDAsync");
    return submit((Work){.kind = COPY, .dst = dst, .src = (uint64_t) src, .bytes = bytes, .check_dst = 1});
}
CUresult cuMemcpyDtoHAsync_v2(void *dst, uint64_t src, size_t bytes, void *s) {
    ENTER("cuMemcpyDtoHAsync");
    return submit((Work){.kind = COPY, .dst = (uint64_t) dst, .src = src, .bytes = bytes, .check_src = 1});
}
CUresult cuMemcpyDtoDAsync_v2(uint64_t dst, uint64_t src, size_t bytes, void *s) {
    ENTER("cuMemcpyDtoDAsync");
    return submit((Work){.kind = COPY, .dst = dst, .src = src, .bytes = bytes, .check_src = 1, .check_dst = 1});
}
CUresult cuMemsetD8Async(uint64_t dst, unsigned char v, size_t bytes, void *s) {
    ENTER("cuMemsetD8Async");
    return submit((Work){.kind = FILL, .dst = dst, .src = v, .bytes = bytes});
}

typedef struct { void *lib; } Module;
typedef struct { void (*fn)(const void *); size_t param_bytes; } Function;

CUresult cuModuleLoadData(void **module, const void *image) {
    ENTER("cuModuleLoadData");
    if (memcmp(image, "\x7f" "ELF", 4) == 0) return INVALID_IMAGE; /* a real cubin: the stand-in runs C builds only */
    void *lib = dlopen((const char *) image, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "cuda stand-in: the image is not a host-kernel library: %.200s\n", dlerror());
        return INVALID_IMAGE;
    }
    Module *m = malloc(sizeof(Module));
    m->lib = lib;
    *module = m;
    return OK;
}

CUresult cuModuleGetFunction(void **fn, void *module, const char *name) {
    ENTER("cuModuleGetFunction");
    Module *m = module;
    void *f = dlsym(m->lib, name);
    const unsigned long *bytes = dlsym(m->lib, "j4_param_bytes");
    if (!f || !bytes) return NOT_FOUND;
    Function *h = malloc(sizeof(Function));
    h->fn = (void (*)(const void *)) f;
    h->param_bytes = *bytes;
    *fn = h;
    return OK;
}

CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared, void *stream, void **params, void **extra) {
    ENTER("cuLaunchKernel");
    Function *h = f;
    if (!h || !params || gx == 0 || bx == 0 || bx > 1024 || gy != 1 || gz != 1 || by != 1 || bz != 1) return INVALID_VALUE;
    void *copy = malloc(h->param_bytes); /* parameters are copied at the launch (and at capture) */
    memcpy(copy, params[0], h->param_bytes);
    return submit((Work){.kind = LAUNCH, .fn = h->fn, .params = copy});
}

CUresult cuStreamBeginCapture_v2(void *stream, int mode) {
    ENTER("cuStreamBeginCapture");
    if (capturing) return INVALID_VALUE;
    capturing = calloc(1, sizeof(Graph));
    capture_stream = stream;
    return OK;
}
CUresult cuStreamEndCapture(void *stream, void **graph) {
    ENTER("cuStreamEndCapture");
    if (!capturing || stream != capture_stream) return CAPTURE_INVALIDATED;
    *graph = capturing;
    capturing = NULL;
    return OK;
}
static long graphs_live;
long j4s_graphs_live(void) { return graphs_live; }
CUresult cuGraphInstantiateWithFlags(void **exec, void *graph, unsigned long long flags) {
    ENTER("cuGraphInstantiate");
    Graph *g = graph, *e = calloc(1, sizeof(Graph));
    e->n = e->cap = g->n;
    e->work = malloc((g->n ? g->n : 1) * sizeof(Work));
    for (int i = 0; i < g->n; i++) e->work[i] = g->work[i];   /* the exec takes over the launches' parameter copies */
    graphs_live++;
    *exec = e;
    return OK;
}
CUresult cuGraphDestroy(void *graph) {
    ENTER("cuGraphDestroy");
    Graph *g = graph;
    /* the launch parameters now belong to the instantiated graph */
    free(g->work);
    free(g);
    return OK;
}
CUresult cuGraphExecDestroy(void *exec) {
    ENTER("cuGraphExecDestroy");
    Graph *e = exec;
    for (int i = 0; i < e->n; i++) if (e->work[i].kind == LAUNCH) free(e->work[i].params);
    free(e->work);
    free(e);
    graphs_live--;
    return OK;
}
CUresult cuGraphLaunch(void *exec, void *stream) {
    ENTER("cuGraphLaunch");
    if (capturing) return INVALID_VALUE;
    Graph *e = exec;
    for (int i = 0; i < e->n; i++) {
        int r = run(&e->work[i]);
        if (r) return r;
    }
    return OK;
}

static const char *driver_names[][2] = {
    {"CUDA_ERROR_INVALID_VALUE", "invalid argument"}, {"CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {"CUDA_ERROR_NOT_INITIALIZED", "initialization error"}, {"CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {"CUDA_ERROR_NOT_FOUND", "named symbol not found"}, {"CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {"CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED", "operation not permitted when stream is capturing"},
    {"CUDA_ERROR_STREAM_CAPTURE_INVALIDATED", "operation failed due to a previous error during capture"},
    {"CUDA_ERROR_INVALID_CONTEXT", "invalid device context"}};
static int driver_index(int s) {
    switch (s) {
        case INVALID_VALUE: return 0; case OUT_OF_MEMORY: return 1; case NOT_INITIALIZED: return 2; case INVALID_IMAGE: return 3;
        case NOT_FOUND: return 4; case ILLEGAL_ADDRESS: return 5; case CAPTURE_UNSUPPORTED: return 6; case CAPTURE_INVALIDATED: return 7;
        case INVALID_CONTEXT: return 8; default: return -1;
    }
}
CUresult cuGetErrorName(int s, const char **out) { int i = driver_index(s); if (i < 0) return INVALID_VALUE; *out = driver_names[i][0]; return OK; }
CUresult cuGetErrorString(int s, const char **out) { int i = driver_index(s); if (i < 0) return INVALID_VALUE; *out = driver_names[i][1]; return OK; }

/* ---- cuBLAS */
static int handle_token;
static void *workspace;
static size_t workspace_bytes;
int cublasCreate_v2(void **h) { ENTER("cublasCreate"); *h = &handle_token; return 0; }
int cublasSetStream_v2(void *h, void *s) { ENTER("cublasSetStream"); return h == &handle_token ? 0 : 7; }
int cublasSetWorkspace_v2(void *h, void *w, size_t bytes) {
    ENTER("cublasSetWorkspace");
    if (!inside((uint64_t) w, bytes)) return 7; /* CUBLAS_STATUS_INVALID_VALUE */
    workspace = w;
    workspace_bytes = bytes;
    return 0;
}
enum { R_32F = 0, R_64F = 1, COMPUTE_32F = 68, COMPUTE_32F_FAST_TF32 = 77, COMPUTE_64F = 70 };
static long tf32_gemms;
long j4s_tf32_gemms(void) { return tf32_gemms; }
int cublasGemmStridedBatchedEx(void *h, int transa, int transb, int m, int n, int k, const void *alpha,
                               uint64_t a, int atype, int lda, long long stra, uint64_t b, int btype, int ldb, long long strb,
                               const void *beta, uint64_t c, int ctype, int ldc, long long strc, int batch, int compute, int algo) {
    ENTER("cublasGemmStridedBatchedEx");
    if (h != &handle_token) return 1;                                  /* NOT_INITIALIZED */
    if (atype != btype || atype != ctype || (atype != R_32F && atype != R_64F)) return 7;
    int f64 = atype == R_64F;
    if (f64 ? compute != COMPUTE_64F : (compute != COMPUTE_32F && compute != COMPUTE_32F_FAST_TF32)) return 7;
    double one = f64 ? *(const double *) alpha : *(const float *) alpha, zero = f64 ? *(const double *) beta : *(const float *) beta;
    if (one != 1.0 || zero != 0.0) return 7;                         /* the backend only asks for C = A B */
    if (m <= 0 || n <= 0 || k <= 0 || batch <= 0 || lda < (transa ? k : m) || ldb < (transb ? n : k) || ldc < m) return 7;
    if (compute == COMPUTE_32F_FAST_TF32) tf32_gemms++;
    return submit((Work){.kind = GEMM, .transa = transa, .transb = transb, .m = m, .n = n, .k = k, .batch = batch,
                         .lda = lda, .ldb = ldb, .ldc = ldc, .f64 = f64, .stra = stra, .strb = strb, .strc = strc, .a = a, .b = b, .c = c});
}
const char *cublasGetStatusName(int s) { return s == 7 ? "CUBLAS_STATUS_INVALID_VALUE" : s == 1 ? "CUBLAS_STATUS_NOT_INITIALIZED" : "CUBLAS_STATUS_?"; }
const char *cublasGetStatusString(int s) { return s == 7 ? "an invalid numeric value was used as an argument" : "the library was not initialized"; }

/* ---- NVRTC: "compiles" by keeping the source; a source holding "#error" fails with a log */
typedef struct { char *source, *name, *log; } Program;
int nvrtcVersion(int *major, int *minor) { *major = 13; *minor = 0; return 0; }
int nvrtcCreateProgram(void **prog, const char *src, const char *name, int n, const char *const *headers, const char *const *names) {
    ENTER("nvrtcCreateProgram");
    Program *p = calloc(1, sizeof(Program));
    p->source = strdup(src);
    p->name = strdup(name ? name : "default_program");
    p->log = strdup("");
    *prog = p;
    return 0;
}
int nvrtcCompileProgram(void *prog, int n, const char *const *options) {
    ENTER("nvrtcCompileProgram");
    Program *p = prog;
    for (int i = 0; i < n; i++) if (strncmp(options[i], "--gpu-architecture=sm_", 22) != 0 && strcmp(options[i], "--std=c++17") != 0) return 5;
    const char *e = strstr(p->source, "#error");
    if (e) {
        free(p->log);
        size_t len = strcspn(e, "\n");
        p->log = malloc(len + 64);
        snprintf(p->log, len + 64, "%s(1): error: %.*s", p->name, (int) len, e);
        return 6; /* NVRTC_ERROR_COMPILATION */
    }
    return 0;
}
int nvrtcGetProgramLogSize(void *prog, size_t *n) { *n = strlen(((Program *) prog)->log) + 1; return 0; }
int nvrtcGetProgramLog(void *prog, char *out) { strcpy(out, ((Program *) prog)->log); return 0; }
int nvrtcGetCUBINSize(void *prog, size_t *n) { *n = strlen(((Program *) prog)->source); return 0; }
int nvrtcGetCUBIN(void *prog, char *out) { memcpy(out, ((Program *) prog)->source, strlen(((Program *) prog)->source)); return 0; }
int nvrtcDestroyProgram(void **prog) {
    Program *p = *prog;
    free(p->source);
    free(p->name);
    free(p->log);
    free(p);
    *prog = NULL;
    return 0;
}
const char *nvrtcGetErrorString(int s) {
    switch (s) {
        case 0: return "NVRTC_SUCCESS";
        case 5: return "NVRTC_ERROR_INVALID_OPTION";
        case 6: return "NVRTC_ERROR_COMPILATION";
        default: return "NVRTC_ERROR";
    }
}

/* ---- NCCL: communicators of one rank */
static int comm_token;
static int nccl_id_made;
typedef struct { char internal[128]; } ncclUniqueId;

int ncclGetUniqueId(ncclUniqueId *id) {
    ENTER("ncclGetUniqueId");
    memset(id->internal, 0, sizeof(id->internal));
    snprintf(id->internal, sizeof(id->internal), "jax4j-standin-nccl-%d", ++nccl_id_made);
    return 0;
}
int ncclCommInitRank(void **comm, int nranks, ncclUniqueId id, int rank) {
    ENTER("ncclCommInitRank");
    if (nranks != 1 || rank != 0 || strncmp(id.internal, "jax4j-standin-nccl-", 19) != 0) return 4; /* ncclInvalidArgument */
    *comm = &comm_token;
    return 0;
}
int ncclAllReduce(uint64_t send, uint64_t recv, size_t count, int type, int op, void *comm, void *stream) {
    ENTER("ncclAllReduce");
    size_t size = type == 8 ? 8 : type == 2 || type == 3 || type == 7 ? 4 : 0;
    if (comm != &comm_token || stream != &stream_token || size == 0 || op < 0 || op > 3) return 4;
    return submit((Work){.kind = COPY, .dst = recv, .src = send, .bytes = count * size, .check_src = 1, .check_dst = 1});
}
int ncclCommDestroy(void *comm) { ENTER("ncclCommDestroy"); return comm == &comm_token ? 0 : 4; }
const char *ncclGetErrorString(int s) {
    switch (s) {
        case 0: return "no error";
        case 4: return "invalid argument";
        case 5: return "invalid usage";
        default: return "unhandled error";
    }
}
