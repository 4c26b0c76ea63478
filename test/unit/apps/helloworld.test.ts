import { afterAll, expect, test } from 'vitest'
import { buildHelloworld } from '../../../src/apps/index.ts'

const app = buildHelloworld({ version: 'v1', instance: 'helloworld-v1-86f77cd7bd-cpxhv' })
afterAll(() => app.close())

test('/hello names the version and the pod, as the Flask app prints them', async () => {
  const res = await app.inject({ url: '/hello' })
  expect(res.statusCode).toBe(200)
  expect(res.body).toBe('Hello version: v1, instance: helloworld-v1-86f77cd7bd-cpxhv\n')
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
})

test('/hello says None for a pod without a version, as Python formats an unset SERVICE_VERSION', async () => {
  const bare = buildHelloworld({ instance: 'helloworld-6d4c8d9f5-x2x8z' })
  const res = await bare.inject({ url: '/hello' })
  expect(res.body).toBe('Hello version: None, instance: helloworld-6d4c8d9f5-x2x8z\n')
  await bare.close()
})

test('/health reports healthy', async () => {
  const res = await app.inject({ url: '/health' })
  expect(res.statusCode).toBe(200)
  expect(res.body).toBe('Helloworld is healthy')
})

test.each(['/', '/hello/', '/productpage'])("%s is a 404 with Werkzeug 3's page", async (url) => {
  const res = await app.inject({ url })
  expect(res.statusCode).toBe(404)
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
  expect(res.body).toBe(
    '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
      '<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n',
  )
})
