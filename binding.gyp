{
  "targets": [
    {
      "target_name": "gradproof_kernels",
      "sources": ["native/kernels.c", "native/chain.c", "native/chain-run.c", "native/chain-create.c", "native/chain-check.c", "native/chain-calls.c", "native/chain-tail.c", "native/v8-math.c"],
      "cflags": ["-O3", "-ffp-contract=off", "-fno-fast-math", "-fno-trapping-math"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-ffp-contract=off", "-fno-fast-math", "-fno-trapping-math"] }
    }
  ]
}
