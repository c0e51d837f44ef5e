// The built-in layer profiles against the architectures' published
// parameter counts and FLOPs, and the CSV reader's validation.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "algorithms/ml/profiles/layer_profile.h"
#include "algorithms/ml/profiles/profile_csv.h"

namespace {

// Within `fraction` of the published value.
bool near(double value, double published, double fraction) {
  return std::abs(value - published) <= fraction * published;
}

std::string write_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("syncsim_profile_" + name);
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("built-in profiles have the published parameter counts (to 0.5%)") {
  SECTION("ResNet-50: 25.6M (torchvision: 25,557,032)") {
    const ml::LayerProfile p = ml::resnet50();
    CHECK(near(static_cast<double>(p.parameters()), 25.6e6, 0.005));
    CHECK(p.parameters() == 25'557'032);
  }
  SECTION("VGG-16: 138.4M (torchvision: 138,357,544)") {
    const ml::LayerProfile p = ml::vgg16();
    CHECK(near(static_cast<double>(p.parameters()), 138.4e6, 0.005));
    CHECK(p.parameters() == 138'357'544);
  }
  SECTION("BERT-base: 110M") {
    CHECK(near(static_cast<double>(ml::bert_base(128).parameters()), 110e6, 0.005));
  }
  SECTION("GPT-2 small: 124M (124,439,808 with the tied output layer)") {
    const ml::LayerProfile p = ml::gpt2_small(1024);
    CHECK(near(static_cast<double>(p.parameters()), 124e6, 0.005));
    CHECK(p.parameters() == 124'439'808);
  }
}

TEST_CASE("built-in profiles have the published forward FLOPs (a multiply-add is 2 FLOPs)") {
  SECTION("ResNet-50: 4.1 G multiply-adds per 224x224 image") {
    CHECK(near(ml::resnet50().forward_flops() / 2, 4.1e9, 0.01));
  }
  SECTION("VGG-16: 15.5 G multiply-adds per 224x224 image") {
    CHECK(near(ml::vgg16().forward_flops() / 2, 15.5e9, 0.01));
  }
  SECTION("transformers: 2 FLOPs per non-embedding parameter and token, plus attention") {
    // Kaplan et al. 2020, C_forward = 2N + 2 n_layer n_ctx d per token, with
    // both attention products counted (4 n_layer n_ctx d); N counts weights
    // only (the weight matrices of 12 blocks: 12 x 12 d^2).
    const double d = 768, blocks = 12;
    const double n = blocks * 12 * d * d;
    for (int tokens : {128, 512}) {
      const ml::LayerProfile bert = ml::bert_base(tokens);
      const double expected = tokens * (2 * n + 4 * blocks * tokens * d) + 2 * d * d;  // + pooler
      CHECK(bert.forward_flops() == Approx(expected).epsilon(1e-12));
    }
    const ml::LayerProfile gpt = ml::gpt2_small(1024);
    const double head = 2.0 * 1024 * d * 50257;
    CHECK(gpt.forward_flops() ==
          Approx(1024 * (2 * n + 4 * blocks * 1024 * d) + head).epsilon(1e-12));
  }
  SECTION("the backward pass is twice the forward") {
    const ml::LayerProfile p = ml::resnet50();
    CHECK(p.backward_flops() == Approx(2 * p.forward_flops()));
  }
}

TEST_CASE("the sequence length scales a transformer's FLOPs, not its parameters") {
  CHECK(ml::bert_base(64).parameters() == ml::bert_base(512).parameters());
  CHECK(ml::bert_base(512).forward_flops() > 4 * ml::bert_base(128).forward_flops());
  CHECK_THROWS_AS(ml::bert_base(513), std::invalid_argument);
  CHECK_THROWS_AS(ml::builtin_profile("resnet51"), std::invalid_argument);
}

TEST_CASE("a CSV profile is read layer by layer") {
  const std::string path =
      write_file("good.csv",
                 "name,kind,parameters,forward_flops,activation_bytes,backward_flops\n"
                 "a,conv,100,2000,40,\n"
                 "\n"
                 "b,linear,10,300,8,900\n");
  const ml::LayerProfile p = ml::read_profile_csv(path);
  REQUIRE(p.layers.size() == 2);
  CHECK(p.layers[0].kind == ml::LayerKind::conv);
  CHECK(p.layers[0].backward_flops == 4000);  // 2 x forward by default
  CHECK(p.layers[1].backward_flops == 900);
  CHECK(p.parameters() == 110);
}

TEST_CASE("a bad CSV profile names the file, line, column and key") {
  auto error = [](const std::string& name, const std::string& text) {
    try {
      ml::read_profile_csv(write_file(name, text));
    } catch (const ml::ProfileError& e) {
      return e;
    }
    FAIL("no error");
    return ml::ProfileError("", 0, 0, "", "");
  };
  const std::string header = "name,kind,parameters,forward_flops,activation_bytes\n";
  SECTION("a bad number") {
    const ml::ProfileError e = error("bad_number.csv", header + "a,conv,1,2,3\nb,linear,x,2,3\n");
    CHECK(e.line == 3);
    CHECK(e.column == 10);
    CHECK(e.key == "parameters");
  }
  SECTION("an unknown kind") {
    const ml::ProfileError e = error("bad_kind.csv", header + "a,lstm,1,2,3\n");
    CHECK(e.line == 2);
    CHECK(e.column == 3);
    CHECK(e.key == "kind");
  }
  SECTION("a negative value") {
    const ml::ProfileError e = error("negative.csv", header + "a,conv,1,-2,3\n");
    CHECK(e.key == "forward_flops");
  }
  SECTION("a missing column") {
    const ml::ProfileError e = error("missing.csv", "name,kind,parameters\n");
    CHECK(e.key == "forward_flops");
  }
  SECTION("a short row") { CHECK(error("short.csv", header + "a,conv,1\n").line == 2); }
  SECTION("no layers or no file") {
    CHECK(error("empty.csv", header).line == 1);
    CHECK(error("nothing.csv", "").line == 1);
    CHECK_THROWS_AS(ml::read_profile_csv("/nonexistent/profile.csv"), ml::ProfileError);
  }
  SECTION("too many parameters") {
    CHECK(error("huge.csv", header + "a,conv,999999999,1,1\nb,conv,999999999,1,1\n").line == 3);
  }
}
