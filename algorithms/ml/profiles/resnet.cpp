// ResNet-50 (He et al. 2016, "Deep Residual Learning"), as torchvision
// builds it ("v1.5": a downsampling block strides in its 3x3 convolution),
// for one 224 x 224 x 3 image. Every convolution is followed by batch norm,
// whose scale and shift are counted with it.
#include <string>

#include "algorithms/ml/profiles/layer_shapes.h"

namespace ml {

LayerProfile resnet50() {
  LayerProfile p;
  p.name = "resnet50";
  int side = 224;
  p.layers.push_back(shapes::conv("conv1", 3, 64, 7, 2, side, false, true));
  side = (side + 2 - 3) / 2 + 1;  // 3x3 max pooling, stride 2: 112 -> 56
  struct Stage {
    int width, blocks, stride;
  };
  const Stage stages[] = {{64, 3, 1}, {128, 4, 2}, {256, 6, 2}, {512, 3, 2}};
  int in = 64;
  for (int s = 0; s < 4; ++s) {
    const Stage& stage = stages[s];
    for (int b = 0; b < stage.blocks; ++b) {
      const std::string prefix = "layer" + std::to_string(s + 1) + "." + std::to_string(b) + ".";
      const int stride = b == 0 ? stage.stride : 1;
      const int out = 4 * stage.width;
      int block_side = side;
      p.layers.push_back(
          shapes::conv(prefix + "conv1", in, stage.width, 1, 1, block_side, false, true));
      p.layers.push_back(shapes::conv(prefix + "conv2", stage.width, stage.width, 3, stride,
                                      block_side, false, true));
      p.layers.push_back(
          shapes::conv(prefix + "conv3", stage.width, out, 1, 1, block_side, false, true));
      if (b == 0) {
        int shortcut_side = side;
        p.layers.push_back(
            shapes::conv(prefix + "downsample", in, out, 1, stride, shortcut_side, false, true));
      }
      side = block_side;
      in = out;
    }
  }
  // Global average pooling to 2048 features, then the 1000-way classifier.
  p.layers.push_back(shapes::linear("fc", 2048, 1000, 1));
  return p;
}

}  // namespace ml
