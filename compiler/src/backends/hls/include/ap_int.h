// QNN Studio's own arbitrary-precision types, compatible with the subset of the Vitis HLS ap_int/ap_fixed API that
// QNN Studio's generated code and typical user code need. Written from the documented semantics
// (docs/semantics.md, section 2), not derived from vendor sources.
//
// Limits: every type (including the exact result types of expressions) has W <= 128 for signed and W <= 127 for
// unsigned types; the raw is held in one __int128 (GCC/Clang). Exceeding the limit is a compile-time error.
// Supported: ap_fixed/ap_ufixed/ap_int/ap_uint; quantization AP_TRN, AP_TRN_ZERO, AP_RND, AP_RND_ZERO, AP_RND_INF,
// AP_RND_MIN_INF, AP_RND_CONV; overflow AP_WRAP, AP_SAT, AP_SAT_ZERO, AP_SAT_SYM (AP_WRAP_SM is rejected);
// exact construction from integers, doubles and floats, and from other ap types (with the target's modes);
// + - * and unary -, with the ap_fixed result types; += -= *=; comparisons; range()/operator[] reads and
// range() writes; to_double/to_float/to_int/to_uint/to_long/to_int64/to_uint64.
#ifndef QNN_AP_INT_H
#define QNN_AP_INT_H

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ostream>

enum ap_q_mode { AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV, AP_TRN, AP_TRN_ZERO };
enum ap_o_mode { AP_SAT, AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP, AP_WRAP_SM };

namespace qnn_ap {
typedef __int128 i128;
typedef unsigned __int128 u128;

constexpr int max_i(int a, int b) { return a > b ? a : b; }

/** Bits 0 .. k-1 of r (r read as infinitely sign-extended) contain a 1. */
inline bool low_or(i128 r, int k) {
  if (k <= 0) return false;
  if (k >= 128) return r != 0;
  return ((u128)r & (((u128)1 << k) - 1)) != 0;
}

/** Bit k of r (infinitely sign-extended). */
inline bool bit(i128 r, int k) {
  if (k >= 127) return r < 0;
  return ((r >> k) & 1) != 0;
}

/**
 * The one cast: raw r at fs fractional bits (an exact integer) to the type (W, F = W - I, S) with modes Q and O.
 * Align (dropping bits with Q's rounding rule), then O when the result leaves the range.
 */
inline i128 cast(i128 r, int fs, int W, int F, bool S, ap_q_mode Q, ap_o_mode O) {
  const int n = fs - F;
  i128 q;
  bool big = false;  // the exact aligned value has magnitude >= 2^127: outside every supported range
  if (n <= 0) {
    const int k = -n;
    if (k >= 127) {
      big = r != 0;
      q = 0;
    } else {
      const i128 lim = (i128)((u128)1 << (127 - k));
      if (k > 0 && (r >= lim || r < -lim)) big = true;
      q = (i128)((u128)r << k);
    }
  } else {
    const i128 q0 = n >= 128 ? (r < 0 ? -1 : 0) : (r >> n);
    const bool qb = bit(r, n - 1);
    const bool rb = low_or(r, n - 1);
    const bool s = r < 0;
    const bool lsb = (q0 & 1) != 0;
    bool up = false;
    switch (Q) {
      case AP_TRN: up = false; break;
      case AP_TRN_ZERO: up = s && (qb || rb); break;
      case AP_RND: up = qb; break;
      case AP_RND_ZERO: up = qb && (s || rb); break;
      case AP_RND_INF: up = qb && (!s || rb); break;
      case AP_RND_MIN_INF: up = qb && rb; break;
      case AP_RND_CONV: up = qb && (lsb || rb); break;
    }
    q = q0 + (up ? 1 : 0);
  }
  i128 mn, mx;
  if (S) {
    mx = W >= 128 ? (i128)(((u128)1 << 127) - 1) : (i128)(((u128)1 << (W - 1)) - 1);
    mn = -mx - 1;
  } else {
    mx = (i128)(((u128)1 << W) - 1);
    mn = 0;
  }
  if (!big && q >= mn && q <= mx) return q;
  const bool above = big ? r > 0 : q > mx;
  switch (O) {
    case AP_SAT: return above ? mx : mn;
    case AP_SAT_ZERO: return 0;
    case AP_SAT_SYM: return above ? mx : (S ? -mx : mn);
    default: {
      // AP_WRAP: the low W bits of q, read as W-bit two's complement (signed) or plain (unsigned).
      if (W >= 128) return q;
      const u128 low = (u128)q & (((u128)1 << W) - 1);
      if (S && ((low >> (W - 1)) & 1)) return (i128)(low | ~(((u128)1 << W) - 1));
      return (i128)low;
    }
  }
}

/** x = mant * 2^exp exactly (mant has at most 53 significant bits); x must be finite. */
inline void decompose(double x, i128 &mant, int &exp) {
  if (x == 0 || !std::isfinite(x)) { mant = 0; exp = 0; return; }
  int e;
  const double m = std::frexp(x, &e);  // x = m * 2^e, 0.5 <= |m| < 1
  mant = (i128)(long long)std::ldexp(m, 53);
  exp = e - 53;
}

struct raw_tag {};

/**
 * With QNN_AP_VENDOR_CHECKS defined: abort where the vendor's open-source headers fail an assertion in C simulation.
 * Their fixed-to-fixed assignment reads the first dropped bit (bit F2 - F - 1 of the source) before checking that it
 * exists, so a cast with a rounding mode that drops more fractional bits than the source is wide stops with
 * "Attempting to read bit beyond MSB". The generated code avoids such casts; the tests check it with this flag.
 */
inline void vendor_cast_check(int W2, int F2, bool S2, int F, ap_q_mode Q) {
#ifdef QNN_AP_VENDOR_CHECKS
  if (F2 - F > W2 && Q != AP_TRN && !(Q == AP_TRN_ZERO && !S2)) {
    std::fprintf(stderr, "QNN_AP_VENDOR_CHECKS: a cast drops %d fractional bits of a %d-bit value with rounding (the vendor's headers assert here)\n", F2 - F, W2);
    std::abort();
  }
#else
  (void)W2, (void)F2, (void)S2, (void)F, (void)Q;
#endif
}
}  // namespace qnn_ap

template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q = AP_TRN, ap_o_mode _AP_O = AP_WRAP, int _AP_N = 0>
struct ap_fixed_base;

/** A (read) reference to bits hi..lo of an ap value; assignable when taken from a non-const value. */
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
struct qnn_range_ref {
  ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> *p;
  int hi, lo;
  qnn_ap::u128 get() const {
    const int n = hi - lo + 1;
    qnn_ap::u128 v = (qnn_ap::u128)p->V >> lo;
    return n >= 128 ? v : (v & (((qnn_ap::u128)1 << n) - 1));
  }
  unsigned long long to_uint64() const { return (unsigned long long)get(); }
  long long to_int64() const { return (long long)get(); }
  unsigned to_uint() const { return (unsigned)get(); }
  int to_int() const { return (int)get(); }
  qnn_range_ref &set(qnn_ap::u128 v) {
    const int n = hi - lo + 1;
    const qnn_ap::u128 m = (n >= 128 ? ~(qnn_ap::u128)0 : (((qnn_ap::u128)1 << n) - 1)) << lo;
    qnn_ap::u128 bits = ((qnn_ap::u128)p->V & ~m) | ((v << lo) & m);
    p->V = qnn_ap::cast((qnn_ap::i128)bits, 0, _AP_W, 0, _AP_S, AP_TRN, AP_WRAP);  // re-normalize to W bits
    return *this;
  }
  qnn_range_ref &operator=(unsigned long long v) { return set(v); }
  qnn_range_ref &operator=(long long v) { return set((qnn_ap::u128)(qnn_ap::i128)v); }
  qnn_range_ref &operator=(int v) { return set((qnn_ap::u128)(qnn_ap::i128)v); }
  qnn_range_ref &operator=(unsigned v) { return set(v); }
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  qnn_range_ref &operator=(const qnn_range_ref<W2, I2, S2, Q2, O2, N2> &o) { return set(o.get()); }
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  qnn_range_ref &operator=(const ap_fixed_base<W2, I2, S2, Q2, O2, N2> &o) { return set((qnn_ap::u128)o.V); }
  qnn_range_ref &operator=(const qnn_range_ref &o) { return set(o.get()); }
};

template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
struct ap_fixed_base {
  static_assert(_AP_W >= 1, "ap types need at least one bit");
  static_assert(_AP_S ? _AP_W <= 128 : _AP_W <= 127,
                "QNN Studio's ap header supports W <= 128 (signed) and W <= 127 (unsigned), expression results included");
  static_assert(_AP_O != AP_WRAP_SM, "AP_WRAP_SM is not supported by QNN Studio's ap header");
  static constexpr int width = _AP_W;
  static constexpr int iwidth = _AP_I;
  static constexpr int F = _AP_W - _AP_I;
  static constexpr bool sign_flag = _AP_S;
  static constexpr ap_q_mode qmode = _AP_Q;
  static constexpr ap_o_mode omode = _AP_O;

  /** The raw: an exact integer in the type's raw range. */
  qnn_ap::i128 V;

  ap_fixed_base() : V(0) {}
  ap_fixed_base(qnn_ap::raw_tag, qnn_ap::i128 raw) : V(raw) {}
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_fixed_base(const ap_fixed_base<W2, I2, S2, Q2, O2, N2> &o)
      : V((qnn_ap::vendor_cast_check(W2, W2 - I2, S2, F, _AP_Q), qnn_ap::cast(o.V, W2 - I2, _AP_W, F, _AP_S, _AP_Q, _AP_O))) {}
  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_fixed_base(const qnn_range_ref<W2, I2, S2, Q2, O2, N2> &o)
      : V(qnn_ap::cast((qnn_ap::i128)o.get(), 0, _AP_W, F, _AP_S, _AP_Q, _AP_O)) {}
  ap_fixed_base(bool x) : V(qnn_ap::cast(x ? 1 : 0, 0, _AP_W, F, _AP_S, _AP_Q, _AP_O)) {}
  ap_fixed_base(char x) : V(qnn_ap::cast(x, 0, _AP_W, F, _AP_S, _AP_Q, _AP_O)) {}
  ap_fixed_base(signed char x) : V(qnn_ap::cast(x, 0, _AP_W, F, _AP_S, _AP_Q, _AP_O)) {}
  ap_fixed_base(unsigned char x) : V(qnn_ap::cast(x, 0, _AP_W, F, _AP_S, _AP_Q, _AP_O)) {}
  ap_fixed_base(short x) : V(qnn_ap::cast(x, 0, _AP_W, F, _AP_S, _AP_Q, _AP_O)) {}
  ap_fixed_base(unsigned short x) : V(qnn_ap::cast(x, 0, _AP_W, F, _AP_S, _AP_Q, _AP_O)) {}
  ap_fixed_base(int x) : V(qnn_ap::cast(x, 0, _AP_W, F, _AP_S, _AP_Q, _AP_O)) {}
  ap_fixed_base(unsigned x) : V(qnn_ap::cast(x, 0, _AP_W, F, _AP_S, _AP_Q, _AP_O)) {}
  ap_fixed_base(long x) : V(qnn_ap::cast(x, 0, _AP_W, F, _AP_S, _AP_Q, _AP_O)) {}
  ap_fixed_base(unsigned long x) : V(qnn_ap::cast(x, 0, _AP_W, F, _AP_S, _AP_Q, _AP_O)) {}
  ap_fixed_base(long long x) : V(qnn_ap::cast(x, 0, _AP_W, F, _AP_S, _AP_Q, _AP_O)) {}
  ap_fixed_base(unsigned long long x) : V(qnn_ap::cast(x, 0, _AP_W, F, _AP_S, _AP_Q, _AP_O)) {}
  ap_fixed_base(double x) {
    qnn_ap::i128 m;
    int e;
    qnn_ap::decompose(x, m, e);
    V = qnn_ap::cast(m, -e, _AP_W, F, _AP_S, _AP_Q, _AP_O);
  }
  ap_fixed_base(float x) : ap_fixed_base((double)x) {}

  template <int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2>
  ap_fixed_base &operator=(const ap_fixed_base<W2, I2, S2, Q2, O2, N2> &o) {
    qnn_ap::vendor_cast_check(W2, W2 - I2, S2, F, _AP_Q);
    V = qnn_ap::cast(o.V, W2 - I2, _AP_W, F, _AP_S, _AP_Q, _AP_O);
    return *this;
  }
  ap_fixed_base &operator=(const ap_fixed_base &o) = default;

  double to_double() const { return std::ldexp((double)V, -F); }
  float to_float() const { return (float)to_double(); }
  /** Truncation toward zero, as C's conversion. */
  qnn_ap::i128 trunc_int() const {
    return qnn_ap::cast(V, F, 128, 0, true, V < 0 ? AP_TRN_ZERO : AP_TRN, AP_WRAP);
  }
  int to_int() const { return (int)trunc_int(); }
  unsigned to_uint() const { return (unsigned)trunc_int(); }
  long to_long() const { return (long)trunc_int(); }
  unsigned long to_ulong() const { return (unsigned long)trunc_int(); }
  long long to_int64() const { return (long long)trunc_int(); }
  unsigned long long to_uint64() const { return (unsigned long long)trunc_int(); }
  int length() const { return _AP_W; }
  operator double() const { return to_double(); }

  qnn_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> range(int hi, int lo) {
    return qnn_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>{this, hi, lo};
  }
  qnn_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> range() { return range(_AP_W - 1, 0); }
  qnn_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> range(int hi, int lo) const {
    return qnn_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>{const_cast<ap_fixed_base *>(this), hi, lo};
  }
  qnn_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> range() const { return range(_AP_W - 1, 0); }
  bool operator[](int i) const { return qnn_ap::bit(V, i); }
  bool get_bit(int i) const { return qnn_ap::bit(V, i); }
  bool is_neg() const { return V < 0; }

  ap_fixed_base<_AP_W + 1, _AP_I + 1, true> operator-() const {
    return ap_fixed_base<_AP_W + 1, _AP_I + 1, true>(qnn_ap::raw_tag(), -V);
  }
  ap_fixed_base operator+() const { return *this; }
  bool operator!() const { return V == 0; }

  template <typename T> ap_fixed_base &operator+=(const T &o) { return *this = *this + o; }
  template <typename T> ap_fixed_base &operator-=(const T &o) { return *this = *this - o; }
  template <typename T> ap_fixed_base &operator*=(const T &o) { return *this = *this * o; }
  ap_fixed_base &operator++() { return *this = *this + ap_fixed_base<2, 2, true>(qnn_ap::raw_tag(), 1); }
  ap_fixed_base &operator--() { return *this = *this - ap_fixed_base<2, 2, true>(qnn_ap::raw_tag(), 1); }
};

namespace qnn_ap {
template <int W1, int I1, bool S1, int W2, int I2, bool S2>
struct types {
  static constexpr int F1 = W1 - I1, F2 = W2 - I2, F = max_i(F1, F2);
  static constexpr int plus_i = max_i(I1 + (S2 && !S1), I2 + (S1 && !S2)) + 1;
  typedef ap_fixed_base<W1 + W2, I1 + I2, S1 || S2> mult;
  typedef ap_fixed_base<plus_i + F, plus_i, S1 || S2> plus;
  typedef ap_fixed_base<plus_i + F, plus_i, true> minus;
};
inline i128 shl(i128 v, int k) { return (i128)((u128)v << k); }
}  // namespace qnn_ap

#define QNN_AP_T1 int W1, int I1, bool S1, ap_q_mode Q1, ap_o_mode O1, int N1
#define QNN_AP_T2 int W2, int I2, bool S2, ap_q_mode Q2, ap_o_mode O2, int N2
#define QNN_AP_A ap_fixed_base<W1, I1, S1, Q1, O1, N1>
#define QNN_AP_B ap_fixed_base<W2, I2, S2, Q2, O2, N2>
#define QNN_AP_TY qnn_ap::types<W1, I1, S1, W2, I2, S2>

template <QNN_AP_T1, QNN_AP_T2>
typename QNN_AP_TY::mult operator*(const QNN_AP_A &a, const QNN_AP_B &b) {
  return typename QNN_AP_TY::mult(qnn_ap::raw_tag(), a.V * b.V);
}
template <QNN_AP_T1, QNN_AP_T2>
typename QNN_AP_TY::plus operator+(const QNN_AP_A &a, const QNN_AP_B &b) {
  typedef QNN_AP_TY T;
  return typename T::plus(qnn_ap::raw_tag(), qnn_ap::shl(a.V, T::F - T::F1) + qnn_ap::shl(b.V, T::F - T::F2));
}
template <QNN_AP_T1, QNN_AP_T2>
typename QNN_AP_TY::minus operator-(const QNN_AP_A &a, const QNN_AP_B &b) {
  typedef QNN_AP_TY T;
  return typename T::minus(qnn_ap::raw_tag(), qnn_ap::shl(a.V, T::F - T::F1) - qnn_ap::shl(b.V, T::F - T::F2));
}

namespace qnn_ap {
/** Exact comparison of a (at fractional bits fa) with b (at fb): -1, 0, 1. Operands within 128 bits. */
inline int compare(i128 a, int fa, i128 b, int fb) {
  // Align to the larger F with 256-bit-safe reasoning: compare integer parts first, then the rest.
  if (fa == fb) return a < b ? -1 : a > b ? 1 : 0;
  if (fa < fb) return -compare(b, fb, a, fa);
  // fa > fb: compare a with b * 2^(fa - fb) by shifting a right exactly.
  const int n = fa - fb;
  const i128 ai = n >= 128 ? (a < 0 ? -1 : 0) : (a >> n);  // floor(a / 2^n)
  if (ai != b) return ai < b ? -1 : 1;
  return low_or(a, n) ? 1 : 0;  // a = b * 2^n + positive remainder
}
}  // namespace qnn_ap

#define QNN_AP_CMP(op, test)                                                  \
  template <QNN_AP_T1, QNN_AP_T2>                                             \
  bool operator op(const QNN_AP_A &a, const QNN_AP_B &b) {                    \
    const int c = qnn_ap::compare(a.V, W1 - I1, b.V, W2 - I2);                \
    return test;                                                              \
  }                                                                           \
  template <QNN_AP_T1>                                                        \
  bool operator op(const QNN_AP_A &a, int b) {                                \
    const int c = qnn_ap::compare(a.V, W1 - I1, b, 0);                        \
    return test;                                                              \
  }                                                                           \
  template <QNN_AP_T1>                                                        \
  bool operator op(const QNN_AP_A &a, long long b) {                          \
    const int c = qnn_ap::compare(a.V, W1 - I1, b, 0);                        \
    return test;                                                              \
  }                                                                           \
  template <QNN_AP_T1>                                                        \
  bool operator op(int b, const QNN_AP_A &a) {                                \
    const int c = -qnn_ap::compare(a.V, W1 - I1, b, 0);                       \
    return test;                                                              \
  }                                                                           \
  template <QNN_AP_T1>                                                        \
  bool operator op(const QNN_AP_A &a, double b) {                             \
    qnn_ap::i128 m;                                                           \
    int e;                                                                    \
    qnn_ap::decompose(b, m, e);                                               \
    const int c = e <= 0 ? qnn_ap::compare(a.V, W1 - I1, m, -e)               \
                         : qnn_ap::compare(a.V, W1 - I1, qnn_ap::shl(m, e), 0); \
    return test;                                                              \
  }
QNN_AP_CMP(==, c == 0)
QNN_AP_CMP(!=, c != 0)
QNN_AP_CMP(<, c < 0)
QNN_AP_CMP(<=, c <= 0)
QNN_AP_CMP(>, c > 0)
QNN_AP_CMP(>=, c >= 0)
#undef QNN_AP_CMP

/** Arithmetic with C integers: the integer acts as ap_int<32> (or ap_int<64> for long long). */
#define QNN_AP_INTOP(op)                                                                             \
  template <QNN_AP_T1>                                                                               \
  auto operator op(const QNN_AP_A &a, int b) { return a op ap_fixed_base<32, 32, true>(b); }         \
  template <QNN_AP_T1>                                                                               \
  auto operator op(int b, const QNN_AP_A &a) { return ap_fixed_base<32, 32, true>(b) op a; }         \
  template <QNN_AP_T1>                                                                               \
  auto operator op(const QNN_AP_A &a, long long b) { return a op ap_fixed_base<64, 64, true>(b); }   \
  template <QNN_AP_T1>                                                                               \
  auto operator op(long long b, const QNN_AP_A &a) { return ap_fixed_base<64, 64, true>(b) op a; }
QNN_AP_INTOP(+)
QNN_AP_INTOP(-)
QNN_AP_INTOP(*)
#undef QNN_AP_INTOP

template <QNN_AP_T1>
std::ostream &operator<<(std::ostream &os, const QNN_AP_A &a) {
  return os << a.to_double();
}

template <int _AP_W>
struct ap_int : ap_fixed_base<_AP_W, _AP_W, true> {
  typedef ap_fixed_base<_AP_W, _AP_W, true> Base;
  ap_int() {}
  template <typename T> ap_int(const T &x) : Base(x) {}
  template <typename T> ap_int &operator=(const T &x) { Base::operator=(Base(x)); return *this; }
};

template <int _AP_W>
struct ap_uint : ap_fixed_base<_AP_W, _AP_W, false> {
  typedef ap_fixed_base<_AP_W, _AP_W, false> Base;
  ap_uint() {}
  template <typename T> ap_uint(const T &x) : Base(x) {}
  template <typename T> ap_uint &operator=(const T &x) { Base::operator=(Base(x)); return *this; }
};

#endif
