// Compressor: how a worker encodes a vector it sends, and what the receiver
// reconstructs from it (plug-in point): top-k, random-k, QSGD and sign
// compression, with or without error feedback, implement this interface.
//
// The simulator carries the receiver's reconstruction, not the bits: encode()
// returns the vector the receiver decodes and the size of the encoding on the
// wire, computed from the encoding itself (values, indices, levels, scales),
// never a constant. The network times the transfer by those bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "algorithms/ml/types.h"

namespace algo {

struct Encoded {
  ml::Vector values;   // what the receiver reconstructs (empty with math: none)
  double bytes = 0.0;  // the encoding's size on the wire
};

class Compressor {
 public:
  virtual ~Compressor() = default;
  virtual std::string_view name() const = 0;
  // Encodes `v` (consumed) for sending. A sender's compressor may keep state
  // between calls (an error-feedback residual): one instance per sender.
  virtual Encoded encode(ml::Vector v) = 0;
  // The wire size of a vector of `elements` (math: none sends sizes only).
  virtual double wire_bytes(std::int64_t elements) const = 0;
  // Gives the compressor its own random stream's seed; its owner calls it
  // once, before the first encode (see compression.md). Default: unused.
  virtual void seed(std::uint64_t /*seed*/) {}
  // True when encode() returns its input unchanged, bit for bit: a sender
  // may then send a vector itself instead of a difference from a known one.
  virtual bool exact() const { return false; }
};

using CompressorFactory = std::function<std::unique_ptr<Compressor>()>;

// No compression: the vector as 4-byte floats.
class IdentityCompressor final : public Compressor {
 public:
  std::string_view name() const override { return "none"; }
  Encoded encode(ml::Vector v) override {
    const double bytes = wire_bytes(v.size());
    return Encoded{std::move(v), bytes};
  }
  double wire_bytes(std::int64_t elements) const override {
    return static_cast<double>(elements) * sizeof(float);
  }
  bool exact() const override { return true; }
};

// Sends `v` as its difference from `base`, which the receiver holds (a
// FedAvg client's model from the global model it started from): encodes
// v - base and returns base + what the receiver decodes. An exact
// compressor sends v itself (the same bytes, and no rounding of v - base + base).
inline Encoded encode_difference(Compressor& compressor, ml::Vector v, const ml::Vector& base) {
  if (compressor.exact()) return compressor.encode(std::move(v));
  v -= base;
  Encoded encoded = compressor.encode(std::move(v));
  encoded.values += base;
  return encoded;
}

}  // namespace algo
