// Supplies std::ios_base_library_init(), the one GLIBCXX_3.4.32 symbol that TorchSharp's
// native bridge references. GCC 13 emits calls to it from <iostream> to make sure the
// standard streams are constructed; libstdc++ versions before 3.4.32 construct them in
// their own static initialiser, so doing nothing here is correct for them.
namespace std {
void ios_base_library_init() {}
}
