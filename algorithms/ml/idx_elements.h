// The element types of the IDX format (byte 2 of the magic number) and how
// their big-endian values become numbers:
//   0x08 unsigned byte   0x09 signed byte   0x0B int16 (2 bytes)
//   0x0C int32 (4 bytes) 0x0D float32 (4)   0x0E float64 (8)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ml {

enum class IdxType : std::uint8_t {
  u8 = 0x08,
  i8 = 0x09,
  i16 = 0x0B,
  i32 = 0x0C,
  f32 = 0x0D,
  f64 = 0x0E,
};

// The type a type code names; nullopt for a code the format does not define.
std::optional<IdxType> idx_type(std::uint8_t code);

// Bytes per element: 1, 1, 2, 4, 4, 8.
unsigned idx_element_bytes(IdxType type);

// "unsigned byte (0x08)", "float32 (0x0D)", ... for messages.
std::string idx_type_name(IdxType type);

bool idx_is_integer(IdxType type);

// The element at `bytes` (idx_element_bytes(type) of them, big-endian).
// Integers are returned exactly; float64 is returned as read.
double idx_element(IdxType type, const std::uint8_t* bytes);

// The integer element at `bytes`. REQUIRES idx_is_integer(type).
std::int64_t idx_integer(IdxType type, const std::uint8_t* bytes);

}  // namespace ml
