// Prints the accountant's results for the Python oracle test
// (test_rdp_accountant.py): for each setting "q sigma steps delta" on the
// command line (four arguments per setting), one line
// "epsilon order rdp(2) rdp(8) rdp(32)", in full precision.
#include <cstdio>
#include <cstdlib>

#include "algorithms/privacy/rdp_accountant.h"

int main(int argc, char** argv) {
  if ((argc - 1) % 4 != 0 || argc == 1) {
    std::fprintf(stderr, "usage: rdp_print q sigma steps delta [q sigma steps delta ...]\n");
    return 2;
  }
  for (int i = 1; i + 3 < argc; i += 4) {
    const double q = std::atof(argv[i]);
    const double sigma = std::atof(argv[i + 1]);
    const long long steps = std::atoll(argv[i + 2]);
    const double delta = std::atof(argv[i + 3]);
    privacy::RdpAccountant accountant;
    accountant.add_steps(q, sigma, steps);
    const privacy::EpsilonAtOrder e = accountant.epsilon(delta);
    // orders() starts at 2, so order a is at index a - 2.
    std::printf("%.17g %d %.17g %.17g %.17g\n", e.epsilon, e.order, accountant.rdp()[0],
                accountant.rdp()[6], accountant.rdp()[30]);
  }
  return 0;
}
