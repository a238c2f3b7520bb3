// QNN Studio's own ap_fixed/ap_ufixed (see ap_int.h for the supported subset and the width limits).
#ifndef QNN_AP_FIXED_H
#define QNN_AP_FIXED_H

#include "ap_int.h"

template <int _AP_W, int _AP_I, ap_q_mode _AP_Q = AP_TRN, ap_o_mode _AP_O = AP_WRAP, int _AP_N = 0>
struct ap_fixed : ap_fixed_base<_AP_W, _AP_I, true, _AP_Q, _AP_O, _AP_N> {
  typedef ap_fixed_base<_AP_W, _AP_I, true, _AP_Q, _AP_O, _AP_N> Base;
  ap_fixed() {}
  template <typename T> ap_fixed(const T &x) : Base(x) {}
  template <typename T> ap_fixed &operator=(const T &x) { Base::operator=(Base(x)); return *this; }
};

template <int _AP_W, int _AP_I, ap_q_mode _AP_Q = AP_TRN, ap_o_mode _AP_O = AP_WRAP, int _AP_N = 0>
struct ap_ufixed : ap_fixed_base<_AP_W, _AP_I, false, _AP_Q, _AP_O, _AP_N> {
  typedef ap_fixed_base<_AP_W, _AP_I, false, _AP_Q, _AP_O, _AP_N> Base;
  ap_ufixed() {}
  template <typename T> ap_ufixed(const T &x) : Base(x) {}
  template <typename T> ap_ufixed &operator=(const T &x) { Base::operator=(Base(x)); return *this; }
};

#endif
