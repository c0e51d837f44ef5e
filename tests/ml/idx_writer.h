// Writes IDX files of any element type for tests: a big-endian header (two
// zero bytes, the type code, the dimensions, each dimension's size) and the
// elements, big-endian. Independent of the reader: it follows the format's
// description, not syncsim's code.
#pragma once

#include <bit>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace idx_writer {

inline void put_be(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(v >> shift));
  }
}

// The bytes of an IDX file of type `code` (0x08 .. 0x0E) with dimension
// sizes `dims` holding `values` (converted to the type: integers truncated).
inline std::vector<std::uint8_t> bytes(std::uint8_t code, const std::vector<std::uint32_t>& dims,
                                       const std::vector<double>& values) {
  std::vector<std::uint8_t> out{0, 0, code, static_cast<std::uint8_t>(dims.size())};
  for (std::uint32_t d : dims) put_be(out, d, 4);
  for (double v : values) {
    switch (code) {
      case 0x08:
        out.push_back(static_cast<std::uint8_t>(v));
        break;
      case 0x09:
        out.push_back(static_cast<std::uint8_t>(static_cast<std::int8_t>(v)));
        break;
      case 0x0B:
        put_be(out, static_cast<std::uint16_t>(static_cast<std::int16_t>(v)), 2);
        break;
      case 0x0C:
        put_be(out, static_cast<std::uint32_t>(static_cast<std::int32_t>(v)), 4);
        break;
      case 0x0D:
        put_be(out, std::bit_cast<std::uint32_t>(static_cast<float>(v)), 4);
        break;
      case 0x0E:
        put_be(out, std::bit_cast<std::uint64_t>(v), 8);
        break;
      default:
        throw std::invalid_argument("idx_writer: unknown type code");
    }
  }
  return out;
}

inline void write(const std::string& path, const std::vector<std::uint8_t>& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("idx_writer: cannot write " + path);
}

}  // namespace idx_writer
