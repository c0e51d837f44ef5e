// SHA-256 against FIPS 180-4's examples (the "abc", two-block and one-million
// "a" messages of the standard's example document) and the empty message,
// then against Python's hashlib for every length around the padding's block
// boundaries (55/56 bytes: the length still fits in the last block or not).
#include <catch2/catch.hpp>
#include <string>

#include "run/sha256.h"

using syncsim::sha256_hex;

TEST_CASE("sha256 gives the digests of FIPS 180-4's examples") {
  SECTION("empty") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }
  SECTION("abc, one block") {
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
  SECTION("448 bits, two blocks") {
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  }
  SECTION("896 bits") {
    CHECK(sha256_hex(
              "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
              "klmnopqrlmnopqrsmnopqrstnopqrstu") ==
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  }
  SECTION("one million 'a'") {
    CHECK(sha256_hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }
}

TEST_CASE("sha256 pads correctly at every block boundary (hashlib's digests)") {
  const auto [length, digest] = GENERATE(table<int, std::string>({
      {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"},
      {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
      {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
      {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
  }));
  CAPTURE(length);
  CHECK(sha256_hex(std::string(static_cast<std::size_t>(length), 'a')) == digest);
}

TEST_CASE("sha256 fed in pieces equals sha256 of the whole") {
  std::string text;
  for (int i = 0; i < 300; ++i) text += static_cast<char>('A' + i * 7 % 50);
  const std::string whole = sha256_hex(text);
  const std::size_t cut = GENERATE(0, 1, 55, 63, 64, 65, 128, 200, 300);
  syncsim::Sha256 hash;
  hash.update(std::string_view(text).substr(0, cut));
  hash.update(std::string_view(text).substr(cut, 17));
  if (cut + 17 < text.size()) hash.update(std::string_view(text).substr(cut + 17));
  std::string hex;
  for (const std::uint8_t b : hash.finish()) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  CAPTURE(cut);
  CHECK(hex == whole);
}
