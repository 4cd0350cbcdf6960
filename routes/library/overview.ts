import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { NotModified, errors } from '../../schemas/common.js'
import { AlphabetIndex, AlphabetQuery, LibraryStats, SearchQuery, SearchResult } from '../../schemas/library.js'

const overview: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/search', {
    config: { libraryResponse: true },
    schema: {
      tags: ['library'],
      summary: 'Search tracks, albums and artists',
      description: 'Case- and accent-insensitive, tolerant of small typos and partial words; best matches first.',
      querystring: SearchQuery,
      response: { 200: Type.Ref(SearchResult), 304: NotModified, ...errors(400, 503) }
    }
  }, async (request) => await fastify.libraryFor(request).search(request.query.q, request.query.limit))

  fastify.get('/alphabet-index', {
    config: { libraryResponse: true },
    schema: {
      tags: ['library'],
      summary: 'Where each first letter starts in a list',
      description: 'Offsets into the default sort of tracks (title), albums (title) or artists (name).',
      querystring: AlphabetQuery,
      response: { 200: Type.Ref(AlphabetIndex), 304: NotModified, ...errors(400, 503) }
    }
  }, async (request) => await fastify.libraryFor(request).alphabet(request.query.type))

  fastify.get('/stats', {
    schema: {
      tags: ['library'],
      summary: 'Library totals and the time of the last finished scan',
      response: { 200: Type.Ref(LibraryStats), ...errors(503) }
    }
  }, async (request) => await fastify.libraryFor(request).stats())
}

export default overview
