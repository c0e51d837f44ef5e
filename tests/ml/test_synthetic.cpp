#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

#include "algorithms/ml/dataset.h"
#include "algorithms/ml/synthetic.h"

TEST_CASE("a synthetic set is a pure function of its spec and seed", "[ml][synthetic]") {
  const ml::SyntheticSpec spec{200, 5, 3, 1.0f, 3.0f};
  const ml::Dataset a = ml::make_synthetic(spec, 1);
  const ml::Dataset b = ml::make_synthetic(spec, 1);
  const ml::Dataset c = ml::make_synthetic(spec, 2);
  CHECK(a.features == b.features);
  CHECK(a.labels == b.labels);
  CHECK(a.features != c.features);
  REQUIRE(a.size() == 200);
  CHECK(a.num_features() == 5);
  CHECK(a.num_classes == 3);
  CHECK_NOTHROW(ml::validate_dataset(a));
  std::vector<int> counts(3, 0);
  for (const auto label : a.labels) ++counts[static_cast<std::size_t>(label)];
  CHECK(counts == std::vector<int>{67, 67, 66});  // balanced
}

TEST_CASE("synthetic blobs sit at distance separation from the origin", "[ml][synthetic]") {
  // With no noise every point is its class centre.
  const ml::Dataset d = ml::make_synthetic({50, 8, 4, 0.0f, 2.5f}, 9);
  for (std::int64_t i = 0; i < d.size(); ++i) CHECK(d.features.row(i).norm() == Approx(2.5));
}

TEST_CASE("a synthetic spec with bad values is rejected", "[ml][synthetic]") {
  SECTION("no samples") { CHECK_THROWS_AS(ml::make_synthetic({0}, 1), std::invalid_argument); }
  SECTION("no features") { CHECK_THROWS_AS(ml::make_synthetic({10, 0}, 1), std::invalid_argument); }
  SECTION("one class") {
    CHECK_THROWS_AS(ml::make_synthetic({10, 2, 1}, 1), std::invalid_argument);
  }
  SECTION("negative noise") {
    CHECK_THROWS_AS(ml::make_synthetic({10, 2, 2, -1.0f}, 1), std::invalid_argument);
  }
}

TEST_CASE("take_first and gather_batch copy the requested rows", "[ml][dataset]") {
  const ml::Dataset d = ml::make_synthetic({20, 3, 2}, 4);
  SECTION("take_first") {
    const ml::Dataset head = ml::take_first(d, 5);
    CHECK(head.size() == 5);
    CHECK(head.features == d.features.topRows(5));
    CHECK(head.num_classes == 2);
    CHECK_THROWS_AS(ml::take_first(d, 21), std::invalid_argument);
    CHECK_THROWS_AS(ml::take_first(d, -1), std::invalid_argument);
  }
  SECTION("gather_batch") {
    ml::RowMatrix x;
    std::vector<std::int32_t> y;
    const std::vector<std::int32_t> indices{7, 0, 19};
    ml::gather_batch(d, indices, x, y);
    REQUIRE(x.rows() == 3);
    CHECK(x.row(0) == d.features.row(7));
    CHECK(x.row(2) == d.features.row(19));
    CHECK(y == std::vector<std::int32_t>{d.labels[7], d.labels[0], d.labels[19]});
    const std::vector<std::int32_t> bad{20};
    CHECK_THROWS_AS(ml::gather_batch(d, bad, x, y), std::invalid_argument);
  }
}

TEST_CASE("a labels-only synthetic set has make_synthetic's labels and no features",
          "[ml][synthetic]") {
  // Oracle: the full set drawn from the same spec and seed.
  const ml::SyntheticSpec spec{300, 7, 4, 1.0f, 3.0f};
  const ml::Dataset full = ml::make_synthetic(spec, 5);
  const ml::Dataset labels = ml::make_synthetic_labels(spec, 5);
  CHECK(labels.labels == full.labels);
  CHECK(labels.num_classes == full.num_classes);
  CHECK(labels.num_features() == 7);
  CHECK(labels.features.rows() == 0);
  CHECK(labels.labels_only());
  CHECK_FALSE(full.labels_only());
  SECTION("take_first keeps it labels-only") {
    const ml::Dataset head = ml::take_first(labels, 10);
    CHECK(head.labels == std::vector<std::int32_t>(full.labels.begin(), full.labels.begin() + 10));
    CHECK(head.labels_only());
    CHECK(head.num_features() == 7);
  }
  SECTION("gather_batch refuses it") {
    ml::RowMatrix x;
    std::vector<std::int32_t> y;
    const std::vector<std::int32_t> rows{0, 1};
    CHECK_THROWS_AS(ml::gather_batch(labels, rows, x, y), std::logic_error);
  }
  SECTION("bad specs are refused alike") {
    CHECK_THROWS_AS(ml::make_synthetic_labels({0}, 1), std::invalid_argument);
    CHECK_THROWS_AS(ml::make_synthetic_labels({10, 2, 1}, 1), std::invalid_argument);
  }
}
