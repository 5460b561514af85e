// Carrier translation unit for the shared precompiled <torch/torch.h> (CMakeLists.txt).
