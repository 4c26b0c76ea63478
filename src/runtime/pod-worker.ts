// Entry point of a pod thread's Worker: serves pods over the port to the mesh.

import { parentPort, workerData } from 'node:worker_threads'
import type { PodThreadInit } from './pod-protocol.ts'
import { servePods } from './pod-thread.ts'

if (parentPort) servePods(parentPort, workerData as PodThreadInit)
