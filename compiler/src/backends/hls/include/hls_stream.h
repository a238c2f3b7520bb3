// QNN Studio's own hls::stream for C simulation with g++: the subset of the Vitis HLS API that generated code and
// typical testbenches use. Written from the documented behaviour, not derived from vendor sources.
//
// A stream is an unbounded FIFO (as in the vendor's C simulation model: a DATAFLOW region runs its processes one
// after the other, so the declared depth does not limit C simulation). Supported: read() / read(T&) / operator>>,
// write() / operator<<, read_nb / write_nb, empty(), full() (always false), size(), a name given to the
// constructor. Reading an empty stream is a bug of the design in C simulation (the hardware would wait forever):
// it prints the stream's name and aborts, where the vendor's model prints a warning and returns T().
#ifndef QNN_HLS_STREAM_H
#define QNN_HLS_STREAM_H

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>

namespace hls {

template <typename T, int DEPTH = 0>
class stream {
 public:
  stream() : name_("hls::stream") {}
  explicit stream(const char *name) : name_(name) {}
  explicit stream(const std::string &name) : name_(name) {}
  ~stream() {
    if (!data_.empty())
      std::fprintf(stderr, "WARNING: hls::stream '%s' contains %zu leftover elements\n", name_.c_str(), data_.size());
  }

  bool empty() const { return data_.empty(); }
  bool full() const { return false; }
  std::size_t size() const { return data_.size(); }

  T read() {
    if (data_.empty()) {
      std::fprintf(stderr, "ERROR: hls::stream '%s' is read while empty (the hardware would stall forever)\n", name_.c_str());
      std::abort();
    }
    T v = data_.front();
    data_.pop_front();
    return v;
  }
  void read(T &v) { v = read(); }
  bool read_nb(T &v) {
    if (data_.empty()) return false;
    v = read();
    return true;
  }
  void write(const T &v) { data_.push_back(v); }
  bool write_nb(const T &v) {
    write(v);
    return true;
  }
  void operator>>(T &v) { read(v); }
  void operator<<(const T &v) { write(v); }

 private:
  // Streams are channels, not values: no copies (as in the vendor's model).
  stream(const stream &);
  stream &operator=(const stream &);

  std::string name_;
  std::deque<T> data_;
};

}  // namespace hls

#endif
