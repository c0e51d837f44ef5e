// VGG-16 (Simonyan and Zisserman 2015, configuration D): thirteen 3x3
// convolutions with biases in five blocks, each block ending in 2x2 max
// pooling, then three fully connected layers, for one 224 x 224 x 3 image.
#include <string>

#include "algorithms/ml/profiles/layer_shapes.h"

namespace ml {

LayerProfile vgg16() {
  LayerProfile p;
  p.name = "vgg16";
  const int blocks[5][3] = {
      {64, 64, 0}, {128, 128, 0}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
  int side = 224;
  int in = 3;
  for (int b = 0; b < 5; ++b) {
    for (int c = 0; c < 3 && blocks[b][c] > 0; ++c) {
      const std::string name = "conv" + std::to_string(b + 1) + "_" + std::to_string(c + 1);
      p.layers.push_back(shapes::conv(name, in, blocks[b][c], 3, 1, side, true, false));
      in = blocks[b][c];
    }
    side /= 2;  // 2x2 max pooling, stride 2
  }
  p.layers.push_back(shapes::linear("fc6", in * side * side, 4096, 1));
  p.layers.push_back(shapes::linear("fc7", 4096, 4096, 1));
  p.layers.push_back(shapes::linear("fc8", 4096, 1000, 1));
  return p;
}

}  // namespace ml
