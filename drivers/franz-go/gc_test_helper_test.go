package main

import "runtime"

func runtimeGC() { runtime.GC() }
