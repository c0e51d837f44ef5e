// SHA-256 (FIPS 180-4), for run.json's fingerprint of the scenario text: two
// runs whose records carry the same scenario_sha256 ran the same file bytes.
// Self-written (about 100 lines) rather than a dependency: zlib has no SHA,
// and OpenSSL would be a new library for one hash. tests/app/test_sha256.cpp
// checks it against the standard's examples.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace syncsim {

// The digest of `bytes`, as 64 lowercase hex digits (what `sha256sum` prints).
std::string sha256_hex(std::string_view bytes);

// Incremental form, for input that arrives in pieces.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // The 32-byte digest. REQUIRES: called once; update() is not called after.
  std::array<std::uint8_t, 32> finish();

 private:
  void compress(const std::uint8_t* block);  // one 64-byte block into state_

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};  // a partial block
  std::size_t buffered_ = 0;               // bytes in buffer_, < 64
  std::uint64_t length_ = 0;               // message bytes so far
};

}  // namespace syncsim
