{
  "targets": [
    {
      "target_name": "gradproof_kernels",
      "sources": ["native/kernels.c"],
      "cflags": ["-O3", "-march=native", "-ffp-contract=off", "-fno-fast-math"]
    }
  ]
}
