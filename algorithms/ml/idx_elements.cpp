#include "algorithms/ml/idx_elements.h"

#include <bit>
#include <cassert>
#include <cstring>

namespace ml {
namespace {

std::uint64_t big_endian(const std::uint8_t* bytes, unsigned size) {
  std::uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i) value = (value << 8) | bytes[i];
  return value;
}

}  // namespace

std::optional<IdxType> idx_type(std::uint8_t code) {
  switch (code) {
    case 0x08:
      return IdxType::u8;
    case 0x09:
      return IdxType::i8;
    case 0x0B:
      return IdxType::i16;
    case 0x0C:
      return IdxType::i32;
    case 0x0D:
      return IdxType::f32;
    case 0x0E:
      return IdxType::f64;
    default:
      return std::nullopt;
  }
}

unsigned idx_element_bytes(IdxType type) {
  switch (type) {
    case IdxType::u8:
    case IdxType::i8:
      return 1;
    case IdxType::i16:
      return 2;
    case IdxType::i32:
    case IdxType::f32:
      return 4;
    case IdxType::f64:
      return 8;
  }
  return 1;
}

std::string idx_type_name(IdxType type) {
  switch (type) {
    case IdxType::u8:
      return "unsigned byte (0x08)";
    case IdxType::i8:
      return "signed byte (0x09)";
    case IdxType::i16:
      return "int16 (0x0B)";
    case IdxType::i32:
      return "int32 (0x0C)";
    case IdxType::f32:
      return "float32 (0x0D)";
    case IdxType::f64:
      return "float64 (0x0E)";
  }
  return "?";
}

bool idx_is_integer(IdxType type) { return type != IdxType::f32 && type != IdxType::f64; }

std::int64_t idx_integer(IdxType type, const std::uint8_t* bytes) {
  assert(idx_is_integer(type));
  switch (type) {
    case IdxType::u8:
      return bytes[0];
    case IdxType::i8:
      return static_cast<std::int8_t>(bytes[0]);
    case IdxType::i16:
      return static_cast<std::int16_t>(big_endian(bytes, 2));
    case IdxType::i32:
      return static_cast<std::int32_t>(big_endian(bytes, 4));
    default:
      return 0;
  }
}

double idx_element(IdxType type, const std::uint8_t* bytes) {
  if (type == IdxType::f32) {
    return std::bit_cast<float>(static_cast<std::uint32_t>(big_endian(bytes, 4)));
  }
  if (type == IdxType::f64) return std::bit_cast<double>(big_endian(bytes, 8));
  return static_cast<double>(idx_integer(type, bytes));
}

}  // namespace ml
